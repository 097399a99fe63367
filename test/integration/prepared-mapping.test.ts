// The hot reads run as named statements whose rows are mapped by a mapper compiled once per statement
// (src/db/queries/prepared.ts), not by drizzle's per-row `mapResultRow`. Inside a transaction the same
// reads are built and mapped by drizzle, so comparing both on the same data checks the compiled
// mapping value for value: timestamps as Dates, jsonb, nulls, nested (lateral join) rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbOrTx } from '../../src/db/client.js';
import {
  campaignContactCounts,
  campaignContactPages,
  campaignContactsById,
  campaignsById,
  campaignsPage,
  contactsById,
  loadTeamSettings,
  loadUserSettings,
  pinpointDomainOf,
  usersById,
  usersWithSettingsById,
} from '../../src/db/queries/reads.js';
import { loadSyncContexts } from '../../src/db/queries/sync-context.js';
import { TestServer, type TestTeam } from '../helpers/server.js';

let t: TestServer;
let team: TestTeam;
const ids = { campaigns: [] as string[], campaignContacts: [] as string[], contacts: [] as string[] };

const localId = (globalId: string) =>
  Buffer.from(globalId, 'base64').toString('utf8').split(':')[1] as string;

beforeAll(async () => {
  t = await TestServer.start();
  team = await t.createTeam('Mapping');
  for (let c = 0; c < 3; c++) {
    const created = await t.gql<{ createCampaign: { id: string } }>(
      `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { ... on Campaign { id } } }`,
      {
        input: {
          name: `Campaign ${c}`,
          channel: 'EMAIL',
          syncAs: 'APPLICATION',
          fieldValues: c === 0 ? [] : [{ field: 'job', value: `${c}` }],
        },
      },
      c === 1 ? team.memberToken : team.adminToken,
    );
    const campaignId = created.data?.createCampaign.id as string;
    ids.campaigns.push(localId(campaignId));
    const added = await t.gql<{
      addContactsToCampaign: { campaignContacts: { id: string; contact: { id: string } }[] };
    }>(
      `mutation($id: ID!, $contacts: [ContactInput!]!) { addContactsToCampaign(campaignId: $id, contacts: $contacts) { ... on AddContactsToCampaignPayload { campaignContacts { id contact { id } } } } }`,
      {
        id: campaignId,
        contacts: Array.from({ length: 4 }, (_, i) => ({
          email: `p${c}-${i}@example.com`,
          firstName: i % 2 === 0 ? `First${i}` : null,
          company: i === 3 ? 'Ünïcode “Co”' : null,
        })),
      },
      team.adminToken,
    );
    const rows = added.data?.addContactsToCampaign.campaignContacts ?? [];
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      ids.campaignContacts.push(localId(row.id));
      ids.contacts.push(localId(row.contact.id));
    }
    const override = await t.gql(
      `mutation($id: ID!) { setSyncOverride(campaignContactId: $id, input: { syncAs: DO_NOT_SYNC, fieldValues: [{ field: "stage", value: "7" }] }) { __typename } }`,
      { id: rows[0]?.id },
      team.adminToken,
    );
    expect(override.data?.setSyncOverride).toEqual({ __typename: 'CampaignContact' });
  }
  // The member has personal defaults, the admin none: both shapes of the users-with-settings read.
  const mine = await t.gql(
    'mutation { updateMySettings(input: { addApplicationWhen: REPLIED }) { __typename } }',
    {},
    team.memberToken,
  );
  expect(mine.errors).toBeUndefined();
});
afterAll(async () => {
  await t?.stop();
});

/** Runs `read` on the pool (compiled mapping) and inside a transaction (drizzle's mapping). */
async function bothWays<T>(read: (db: DbOrTx) => Promise<T>): Promise<[T, T]> {
  const db = t.database.db;
  const compiled = await read(db);
  const again = await read(db); // the second call reuses the prepared statement
  expect(again).toEqual(compiled);
  const drizzleMapped = await db.transaction((tx) => read(tx));
  return [compiled, drizzleMapped];
}

describe('compiled row mapping of prepared reads', () => {
  it('maps every hot read exactly as drizzle does', async () => {
    const { teamId, adminId, memberId } = team;
    const reads: [string, (db: DbOrTx) => Promise<unknown>][] = [
      ['contactsById', (db) => contactsById(db, teamId, ids.contacts)],
      ['campaignsById', (db) => campaignsById(db, teamId, ids.campaigns)],
      ['campaignContactsById', (db) => campaignContactsById(db, teamId, ids.campaignContacts)],
      ['usersById', (db) => usersById(db, teamId, [adminId, memberId])],
      ['campaignsPage', (db) => campaignsPage(db, teamId, { first: 2, after: null })],
      [
        'campaignContactPages',
        (db) => campaignContactPages(db, teamId, ids.campaigns, { first: 3, after: null }),
      ],
      ['campaignContactCounts', (db) => campaignContactCounts(db, teamId, ids.campaigns)],
      ['loadTeamSettings', (db) => loadTeamSettings(db, teamId)],
      ['loadUserSettings', (db) => loadUserSettings(db, teamId, [adminId, memberId])],
      ['usersWithSettingsById', (db) => usersWithSettingsById(db, teamId, [adminId, memberId])],
      ['pinpointDomainOf', (db) => pinpointDomainOf(db, teamId)],
      ['loadSyncContexts', (db) => loadSyncContexts(db, teamId, ids.campaignContacts.slice(0, 2))],
    ];
    for (const [name, read] of reads) {
      const [compiled, drizzleMapped] = await bothWays(read);
      expect({ name, value: compiled }).toEqual({ name, value: drizzleMapped });
    }
    const [rows] = await bothWays((db) => campaignContactsById(db, teamId, ids.campaignContacts));
    const first = rows[0];
    expect(first?.createdAt).toBeInstanceOf(Date);
    expect(rows.filter((row) => row.overrideUpdatedAt instanceof Date)).toHaveLength(3);
    expect(rows.find((row) => row.overrideFieldValues !== null)?.overrideFieldValues).toEqual([
      { field: 'stage', value: '7', values: null },
    ]);
    const [withSettings] = await bothWays((db) => usersWithSettingsById(db, teamId, [adminId, memberId]));
    expect(Object.fromEntries(withSettings.map((row) => [row.user.id, row.settings]))).toEqual({
      [adminId]: {},
      [memberId]: { addApplicationWhen: 'REPLIED' },
    });
    const [pages] = await bothWays((db) =>
      campaignContactPages(db, teamId, ids.campaigns, { first: 3, after: null }),
    );
    // Each page's rows come with their contacts (and the contact of the row read past the page, which
    // tells whether another page follows): 3 campaigns × (3 + 1) rows.
    const primed = new Set(pages.contacts.map((c) => c.id));
    const shown = [...pages.pages.values()].flatMap((page) => page.rows.map((row) => row.contactId));
    expect(shown).toHaveLength(9);
    expect(shown.filter((id) => !primed.has(id))).toEqual([]);
    expect(pages.contacts).toHaveLength(12);
    const [contacts] = await bothWays((db) => contactsById(db, teamId, ids.contacts));
    expect(contacts.map((c) => c.company)).toContain('Ünïcode “Co”');
    expect(contacts.some((c) => c.firstName === null)).toBe(true);
  });
});
