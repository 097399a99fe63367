import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignContactsTable, contactsTable, syncJobsTable } from '../../src/db/schema.js';
import { ADD_CONTACTS, addContacts, createCampaign, ERROR_FIELDS, type Loose } from '../helpers/campaigns.js';
import { globalId, TestServer } from '../helpers/server.js';

let t: TestServer;
beforeAll(async () => {
  t = await TestServer.start();
});
afterAll(async () => {
  await t?.stop();
});

const UPDATE_CONTACT = `mutation($id: ID!, $input: ContactUpdateInput!) {
  updateContact(id: $id, input: $input) {
    __typename ... on Contact { id email firstName lastName phone company jobTitle location linkedinUrl } ${ERROR_FIELDS}
  }
}`;

const db = () => t.database.db;
const rawId = (id: string) => Buffer.from(id, 'base64').toString('utf8').split(':')[1] ?? '';

async function contactCount(teamId: string) {
  return db().$count(contactsTable, eq(contactsTable.teamId, teamId));
}
async function jobs(teamId: string) {
  const rows = await db().select().from(syncJobsTable).where(eq(syncJobsTable.teamId, teamId));
  return rows.map((r) => ({ campaignContactId: r.campaignContactId, event: (r.payload as Loose).event }));
}

describe('addContactsToCampaign', () => {
  it('adds contacts with trimmed data, one ADDED job each, and reuses contacts by email in any case', async () => {
    const team = await t.createTeam();
    const c = await createCampaign(t, team.memberToken);
    const added = await addContacts(t, team.memberToken, c.id, [
      {
        email: ' Ada@Example.com ',
        firstName: ' Ada ',
        lastName: 'Lovelace',
        phone: '',
        linkedinUrl: 'https://www.linkedin.com/in/ada',
      },
      { email: 'grace@example.com', firstName: 'Grace' },
    ]);
    expect(added).toHaveLength(2);
    expect(added[0].contact).toMatchObject({ email: 'Ada@Example.com', firstName: 'Ada', phone: null });
    expect(added[0].stage).toBe('ADDED');
    expect(added[0].syncStatus).toBe('NOT_SYNCED');
    expect(added[0].pinpointUrl).toBeNull();
    expect(added[0].override).toBeNull();
    // Grace has no last name: Pinpoint needs one; the default mandatory job is missing too.
    expect(added[1].missingMandatoryFields).toEqual(['last_name', 'job']);
    const queued = await jobs(team.teamId);
    expect(queued).toHaveLength(2);
    expect(queued.every((j) => j.event.kind === 'ADDED')).toBe(true);

    // Another campaign: the same people (other letter case) are the same contacts.
    const c2 = await createCampaign(t, team.memberToken);
    const again = await addContacts(t, team.memberToken, c2.id, [
      { email: 'ADA@example.COM', company: 'Analytical' },
    ]);
    expect(again[0].contact.id).toBe(added[0].contact.id);
    expect(again[0].contact.company).toBe('Analytical');
    expect(again[0].contact.firstName).toBe('Ada'); // not erased by an absent field
    expect(await contactCount(team.teamId)).toBe(2);
    // The edit of Ada queues CONTACT_EDITED for her first campaign; her new campaign gets ADDED.
    const after = await jobs(team.teamId);
    expect(after.filter((j) => j.event.kind === 'CONTACT_EDITED')).toEqual([
      {
        campaignContactId: rawId(added[0].id),
        event: { kind: 'CONTACT_EDITED', changedVariables: ['COMPANY'] },
      },
    ]);
    expect(after.filter((j) => j.event.kind === 'ADDED')).toHaveLength(3);
  });

  it('never duplicates a campaign contact, within one call or across calls', async () => {
    const team = await t.createTeam();
    const c = await createCampaign(t, team.adminToken);
    const first = await addContacts(t, team.adminToken, c.id, [
      { email: 'dup@example.com', firstName: 'Early' },
      { email: 'DUP@example.com', lastName: 'Later' },
    ]);
    expect(first).toHaveLength(1);
    expect(first[0].contact).toMatchObject({ firstName: 'Early', lastName: 'Later' });
    const second = await addContacts(t, team.adminToken, c.id, [
      { email: 'dup@EXAMPLE.com' },
      { email: 'new@example.com' },
    ]);
    expect(second).toHaveLength(2);
    expect(second[0].id).toBe(first[0].id);
    const rows = await db()
      .select()
      .from(campaignContactsTable)
      .where(eq(campaignContactsTable.campaignId, rawId(c.id)));
    expect(rows).toHaveLength(2);
    expect((await jobs(team.teamId)).filter((j) => j.event.kind === 'ADDED')).toHaveLength(2);
  });

  it('adds 500 contacts in one call and refuses 501', async () => {
    const team = await t.createTeam();
    const c = await createCampaign(t, team.adminToken);
    const many = (n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) => ({ email: `${prefix}${i}@example.com` }));
    const res = await t.gql<Loose>(
      ADD_CONTACTS.replace(
        /campaignContacts \{[\s\S]*?missingMandatoryFields\s*\}/,
        'campaignContacts { id }',
      ),
      { id: c.id, contacts: many(500, 'ok') },
      team.adminToken,
    );
    expect(res.data?.addContactsToCampaign.campaignContacts).toHaveLength(500);
    expect(await contactCount(team.teamId)).toBe(500);
    expect(await jobs(team.teamId)).toHaveLength(500);

    const refused = await t.gql<Loose>(
      ADD_CONTACTS,
      { id: c.id, contacts: many(501, 'no') },
      team.adminToken,
    );
    expect(refused.data?.addContactsToCampaign.__typename).toBe('ValidationError');
    expect(refused.data?.addContactsToCampaign.fieldErrors[0].path).toEqual(['contacts']);
    expect(await contactCount(team.teamId)).toBe(500);
  });

  it('refuses the whole call when any row is invalid, naming every bad row and field', async () => {
    const team = await t.createTeam();
    const c = await createCampaign(t, team.adminToken);
    const res = await t.gql<Loose>(
      ADD_CONTACTS,
      {
        id: c.id,
        contacts: [
          { email: 'fine@example.com' },
          { email: 'not-an-email' },
          { email: 'ok2@example.com', linkedinUrl: 'javascript:alert(1)' },
          { email: `${'x'.repeat(315)}@a.com` },
          { email: 'ok3@example.com', firstName: 'y'.repeat(201), phone: 'call me' },
          { email: '   ' },
          { email: 'ok4@example.com', linkedinUrl: 'ftp://example.com/x' },
        ],
      },
      team.adminToken,
    );
    const result = res.data?.addContactsToCampaign;
    expect(result.__typename).toBe('ValidationError');
    const paths = result.fieldErrors.map((e: Loose) => e.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining([
        'contacts.1.email',
        'contacts.2.linkedinUrl',
        'contacts.3.email',
        'contacts.4.firstName',
        'contacts.4.phone',
        'contacts.5.email',
        'contacts.6.linkedinUrl',
      ]),
    );
    expect(paths.some((p: string) => p.startsWith('contacts.0'))).toBe(false);
    expect(await contactCount(team.teamId)).toBe(0);
    expect(await jobs(team.teamId)).toHaveLength(0);
  });

  it('answers NotFoundError for another team’s campaign and writes nothing', async () => {
    const mine = await t.createTeam();
    const theirs = await t.createTeam();
    const c = await createCampaign(t, theirs.adminToken);
    const res = await t.gql<Loose>(
      ADD_CONTACTS,
      { id: c.id, contacts: [{ email: 'x@example.com' }] },
      mine.adminToken,
    );
    expect(res.data?.addContactsToCampaign.__typename).toBe('NotFoundError');
    expect(await contactCount(mine.teamId)).toBe(0);
    expect(await contactCount(theirs.teamId)).toBe(0);
  });

  it('keeps contacts of different teams apart even with the same email', async () => {
    const a = await t.createTeam();
    const b = await t.createTeam();
    const ca = await createCampaign(t, a.adminToken);
    const cb = await createCampaign(t, b.adminToken);
    const [x] = await addContacts(t, a.adminToken, ca.id, [{ email: 'same@example.com', firstName: 'A' }]);
    const [y] = await addContacts(t, b.adminToken, cb.id, [{ email: 'same@example.com', firstName: 'B' }]);
    expect(x.contact.id).not.toBe(y.contact.id);
    expect(x.contact.firstName).toBe('A');
  });
});

describe('updateContact', () => {
  async function setup() {
    const team = await t.createTeam();
    const c = await createCampaign(t, team.memberToken);
    const [cc, other] = await addContacts(t, team.memberToken, c.id, [
      { email: 'jane@example.com', firstName: 'Jane', lastName: 'Doe' },
      { email: 'john@example.com' },
    ]);
    await db().delete(syncJobsTable).where(eq(syncJobsTable.teamId, team.teamId));
    return { team, campaign: c, cc, contactId: cc.contact.id, otherId: other.contact.id };
  }

  it('changes fields, clears with null or "", and queues CONTACT_EDITED naming the changed variables', async () => {
    const { team, cc, contactId } = await setup();
    const res = await t.gql<Loose>(
      UPDATE_CONTACT,
      { id: contactId, input: { firstName: ' Janet ', lastName: null, jobTitle: 'CTO', company: '' } },
      team.memberToken,
    );
    expect(res.data?.updateContact).toMatchObject({
      __typename: 'Contact',
      firstName: 'Janet',
      lastName: null,
      jobTitle: 'CTO',
      email: 'jane@example.com',
    });
    const queued = await jobs(team.teamId);
    expect(queued).toEqual([
      {
        campaignContactId: rawId(cc.id),
        event: { kind: 'CONTACT_EDITED', changedVariables: ['FIRST_NAME', 'LAST_NAME', 'JOB_TITLE'] },
      },
    ]);
  });

  it('queues nothing when no value actually changes', async () => {
    const { team, contactId } = await setup();
    const res = await t.gql<Loose>(
      UPDATE_CONTACT,
      { id: contactId, input: { firstName: 'Jane', email: 'jane@example.com' } },
      team.adminToken,
    );
    expect(res.data?.updateContact.__typename).toBe('Contact');
    expect(await jobs(team.teamId)).toHaveLength(0);
  });

  it('refuses an email another contact of the team has, in any case, on the email field', async () => {
    const { team, contactId } = await setup();
    const res = await t.gql<Loose>(
      UPDATE_CONTACT,
      { id: contactId, input: { email: 'JOHN@example.com' } },
      team.memberToken,
    );
    expect(res.data?.updateContact.__typename).toBe('ValidationError');
    expect(res.data?.updateContact.fieldErrors[0].path).toEqual(['input', 'email']);
    // Changing only the case of one's own email is fine.
    const own = await t.gql<Loose>(
      UPDATE_CONTACT,
      { id: contactId, input: { email: 'Jane@Example.com' } },
      team.memberToken,
    );
    expect(own.data?.updateContact.email).toBe('Jane@Example.com');
  });

  it.each([
    ['an invalid email', { email: 'nope' }, 'email'],
    ['a null email', { email: null }, 'email'],
    ['a non-http LinkedIn URL', { linkedinUrl: 'mailto:x@example.com' }, 'linkedinUrl'],
    ['a name over 200 characters', { lastName: 'z'.repeat(201) }, 'lastName'],
    ['a phone without digits', { phone: 'n/a' }, 'phone'],
  ])('refuses %s with a ValidationError and changes nothing', async (_name, input, field) => {
    const { team, contactId } = await setup();
    const res = await t.gql<Loose>(UPDATE_CONTACT, { id: contactId, input }, team.memberToken);
    expect(res.data?.updateContact.__typename).toBe('ValidationError');
    expect(res.data?.updateContact.fieldErrors[0].path).toEqual(['input', field]);
    const [row] = await db()
      .select()
      .from(contactsTable)
      .where(eq(contactsTable.id, rawId(contactId)));
    expect(row).toMatchObject({ email: 'jane@example.com', firstName: 'Jane', lastName: 'Doe', phone: null });
  });

  it('answers NotFoundError for another team’s contact and changes nothing', async () => {
    const { contactId } = await setup();
    const intruder = await t.createTeam();
    for (const id of [contactId, globalId('Contact', '00000000-0000-0000-0000-000000000000'), 'x']) {
      const res = await t.gql<Loose>(
        UPDATE_CONTACT,
        { id, input: { firstName: 'Hacked' } },
        intruder.adminToken,
      );
      expect(res.data?.updateContact.__typename).toBe('NotFoundError');
    }
    const [row] = await db()
      .select()
      .from(contactsTable)
      .where(and(eq(contactsTable.id, rawId(contactId)), sql`true`));
    expect(row?.firstName).toBe('Jane');
    const node = await t.gql<Loose>(
      'query($id: ID!) { node(id: $id) { id } }',
      { id: contactId },
      intruder.adminToken,
    );
    expect(node.data?.node ?? null).toBeNull();
  });
});
