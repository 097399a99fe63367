import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignsTable, syncJobsTable } from '../../src/db/schema.js';
import {
  addContacts,
  CAMPAIGN_FIELDS,
  CREATE_CAMPAIGN,
  createCampaign,
  type Loose,
  sourceOf,
  UPDATE_CAMPAIGN_SYNC,
} from '../helpers/campaigns.js';
import { globalId, TestServer } from '../helpers/server.js';

let t: TestServer;
beforeAll(async () => {
  t = await TestServer.start();
});
afterAll(async () => {
  await t?.stop();
});

const rawId = (id: string) => Buffer.from(id, 'base64').toString('utf8').split(':')[1] ?? '';

async function lockTeam(token: string, locked = true) {
  const res = await t.gql<Loose>(
    'mutation($input: TeamSettingsInput!) { updateTeamSettings(input: $input) { __typename } }',
    { input: { lockedForMembers: locked } },
    token,
  );
  expect(res.data?.updateTeamSettings.__typename).toBe('TeamSettings');
}

async function campaignRow(id: string) {
  const [row] = await t.database.db
    .select()
    .from(campaignsTable)
    .where(eq(campaignsTable.id, rawId(id)));
  return row;
}

describe('createCampaign', () => {
  it('creates a campaign owned by the caller with its options and tags', async () => {
    const team = await t.createTeam();
    const c = await createCampaign(t, team.memberToken, {
      name: '  Rust engineers ',
      channel: 'LINKEDIN',
      options: { addApplicationWhen: 'REPLIED', noteChannels: ['EMAIL', 'EMAIL', 'SMS'] },
      fieldValues: [
        { field: 'job', value: '42' },
        { field: 'tags', values: ['rust', 'remote'] },
        { field: 'custom:991', value: 'Referral' },
      ],
    });
    expect(c.name).toBe('Rust engineers');
    expect(c.channel).toBe('LINKEDIN');
    expect(c.owner.id).toBe(globalId('User', team.memberId));
    expect(c.options).toEqual({
      addApplicationWhen: 'REPLIED',
      onlyAddNotesToSyncedRecords: null,
      fieldUpdatePolicy: null,
      activityNoteTypes: null,
      noteChannels: ['EMAIL', 'SMS'],
    });
    expect(c.fieldValues).toEqual([
      { field: 'job', value: '42', values: null },
      { field: 'tags', value: null, values: ['rust', 'remote'] },
      { field: 'custom:991', value: 'Referral', values: null },
    ]);
    expect(c.effectiveSync.addApplicationWhen).toBe('REPLIED');
    expect(sourceOf(c.effectiveSync, 'addApplicationWhen')).toBe('CAMPAIGN');
    expect(sourceOf(c.effectiveSync, 'fieldUpdatePolicy')).toBe('TEAM');
    expect(sourceOf(c.effectiveSync, 'syncAs')).toBe('CAMPAIGN');
    expect(sourceOf(c.effectiveSync, 'fieldValues.job')).toBe('CAMPAIGN');
    expect((await campaignRow(c.id))?.optionsSetByAdmin).toBe(false);
  });

  it('stores null options when none are set, so everything is inherited', async () => {
    const team = await t.createTeam();
    const c = await createCampaign(t, team.adminToken, { options: { addApplicationWhen: null } });
    expect(c.options).toBeNull();
    expect(c.effectiveSync.addApplicationWhen).toBe('INTERESTED');
    expect((await campaignRow(c.id))?.optionsSetByAdmin).toBe(true);
  });

  it.each([
    ['an empty name', { name: '   ' }, ['input', 'name']],
    ['a name over 200 characters', { name: 'x'.repeat(201) }, ['input', 'name']],
    [
      'an unknown field key',
      { fieldValues: [{ field: 'salary', value: '1' }] },
      ['input', 'fieldValues', '0', 'field'],
    ],
    [
      'a custom key that is not numeric',
      { fieldValues: [{ field: 'custom:abc', value: '1' }] },
      ['input', 'fieldValues', '0', 'field'],
    ],
    [
      'a field given twice',
      {
        fieldValues: [
          { field: 'job', value: '1' },
          { field: 'job', value: '2' },
        ],
      },
      ['input', 'fieldValues', '1', 'field'],
    ],
    [
      'both value and values',
      { fieldValues: [{ field: 'custom:1', value: 'a', values: ['b'] }] },
      ['input', 'fieldValues', '0', 'value'],
    ],
    [
      'neither value nor values',
      { fieldValues: [{ field: 'custom:1' }] },
      ['input', 'fieldValues', '0', 'value'],
    ],
    [
      'tags with a single value',
      { fieldValues: [{ field: 'tags', value: 'x' }] },
      ['input', 'fieldValues', '0', 'values'],
    ],
    [
      'a job with a list',
      { fieldValues: [{ field: 'job', values: ['1'] }] },
      ['input', 'fieldValues', '0', 'value'],
    ],
    [
      'a value over 500 characters',
      { fieldValues: [{ field: 'job', value: '9'.repeat(501) }] },
      ['input', 'fieldValues', '0', 'value'],
    ],
    [
      'an empty tag',
      { fieldValues: [{ field: 'tags', values: ['ok', ' '] }] },
      ['input', 'fieldValues', '0', 'values'],
    ],
  ])('refuses %s with a ValidationError naming the field', async (_name, input, path) => {
    const team = await t.createTeam();
    const res = await t.gql<Loose>(
      CREATE_CAMPAIGN,
      { input: { name: 'Valid', channel: 'EMAIL', syncAs: 'APPLICATION', ...input } },
      team.adminToken,
    );
    expect(res.data?.createCampaign.__typename).toBe('ValidationError');
    expect(res.data?.createCampaign.fieldErrors.map((e: Loose) => e.path)).toContainEqual(path);
    const list = await t.gql<Loose>('{ campaigns { totalCount } }', {}, team.adminToken);
    expect(list.data?.campaigns.totalCount).toBe(0);
  });

  it('refuses options from a member while the team is locked, but not Sync as and tags', async () => {
    const team = await t.createTeam();
    await lockTeam(team.adminToken);
    const refused = await t.gql<Loose>(
      CREATE_CAMPAIGN,
      {
        input: {
          name: 'Locked',
          channel: 'EMAIL',
          syncAs: 'APPLICATION',
          options: { addApplicationWhen: 'REPLIED' },
        },
      },
      team.memberToken,
    );
    expect(refused.data?.createCampaign.__typename).toBe('SettingsLockedError');
    const plain = await createCampaign(t, team.memberToken, {
      syncAs: 'DO_NOT_SYNC',
      options: { addApplicationWhen: null },
      fieldValues: [{ field: 'job', value: '7' }],
    });
    expect(plain.syncAs).toBe('DO_NOT_SYNC');
    const byAdmin = await createCampaign(t, team.adminToken, { options: { addApplicationWhen: 'REPLIED' } });
    expect(byAdmin.effectiveSync.addApplicationWhen).toBe('REPLIED');
    expect(sourceOf(byAdmin.effectiveSync, 'addApplicationWhen')).toBe('CAMPAIGN');
  });

  it('ignores options a member set once the team locks, and honours them again when unlocked', async () => {
    const team = await t.createTeam();
    const c = await createCampaign(t, team.memberToken, {
      options: { addApplicationWhen: 'ADDED_TO_CAMPAIGN' },
    });
    await lockTeam(team.adminToken);
    const q = `query($id: ID!) { campaign(id: $id) { ${CAMPAIGN_FIELDS} } }`;
    const locked = await t.gql<Loose>(q, { id: c.id }, team.memberToken);
    expect(locked.data?.campaign.options.addApplicationWhen).toBe('ADDED_TO_CAMPAIGN');
    expect(locked.data?.campaign.effectiveSync.addApplicationWhen).toBe('INTERESTED');
    expect(sourceOf(locked.data?.campaign.effectiveSync, 'addApplicationWhen')).toBe('TEAM');
    await lockTeam(team.adminToken, false);
    const unlocked = await t.gql<Loose>(q, { id: c.id }, team.memberToken);
    expect(unlocked.data?.campaign.effectiveSync.addApplicationWhen).toBe('ADDED_TO_CAMPAIGN');
  });

  it('requires authentication', async () => {
    const res = await t.gql<Loose>(CREATE_CAMPAIGN, {
      input: { name: 'x', channel: 'EMAIL', syncAs: 'APPLICATION' },
    });
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('updateCampaignSync', () => {
  it('lets the owner change Sync as, options and tags, and queues SETTINGS_CHANGED for every contact', async () => {
    const team = await t.createTeam();
    const c = await createCampaign(t, team.memberToken, { fieldValues: [{ field: 'job', value: '1' }] });
    await addContacts(t, team.memberToken, c.id, [{ email: 'a@example.com' }, { email: 'b@example.com' }]);
    const res = await t.gql<Loose>(
      UPDATE_CAMPAIGN_SYNC,
      { id: c.id, input: { syncAs: 'DO_NOT_SYNC', options: { fieldUpdatePolicy: 'ALWAYS_UPDATE' } } },
      team.memberToken,
    );
    const updated = res.data?.updateCampaignSync;
    expect(updated.__typename).toBe('Campaign');
    expect(updated.syncAs).toBe('DO_NOT_SYNC');
    expect(updated.options.fieldUpdatePolicy).toBe('ALWAYS_UPDATE');
    // Absent keys keep their value.
    expect(updated.fieldValues).toEqual([{ field: 'job', value: '1', values: null }]);
    const jobs = await t.database.db
      .select()
      .from(syncJobsTable)
      .where(eq(syncJobsTable.teamId, team.teamId));
    const settingsJobs = jobs.filter((j) => (j.payload as Loose).event.kind === 'SETTINGS_CHANGED');
    expect(settingsJobs).toHaveLength(2);

    const cleared = await t.gql<Loose>(
      UPDATE_CAMPAIGN_SYNC,
      { id: c.id, input: { options: null, fieldValues: [] } },
      team.memberToken,
    );
    expect(cleared.data?.updateCampaignSync.options).toBeNull();
    expect(cleared.data?.updateCampaignSync.fieldValues).toEqual([]);
  });

  it('lets an admin change any campaign and refuses other members with FORBIDDEN', async () => {
    const team = await t.createTeam();
    const c = await createCampaign(t, team.adminToken);
    const byMember = await t.gql<Loose>(
      UPDATE_CAMPAIGN_SYNC,
      { id: c.id, input: { syncAs: 'DO_NOT_SYNC' } },
      team.memberToken,
    );
    expect(byMember.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await campaignRow(c.id))?.syncAs).toBe('APPLICATION');

    const other = await createCampaign(t, team.memberToken);
    const byAdmin = await t.gql<Loose>(
      UPDATE_CAMPAIGN_SYNC,
      { id: other.id, input: { syncAs: 'DO_NOT_SYNC' } },
      team.adminToken,
    );
    expect(byAdmin.data?.updateCampaignSync.syncAs).toBe('DO_NOT_SYNC');
  });

  it('answers NotFoundError for another team’s campaign and changes nothing', async () => {
    const mine = await t.createTeam();
    const theirs = await t.createTeam();
    const c = await createCampaign(t, theirs.adminToken);
    for (const id of [
      c.id,
      globalId('Campaign', '00000000-0000-0000-0000-000000000000'),
      'garbage',
      globalId('User', mine.adminId),
    ]) {
      const res = await t.gql<Loose>(
        UPDATE_CAMPAIGN_SYNC,
        { id, input: { syncAs: 'DO_NOT_SYNC' } },
        mine.adminToken,
      );
      expect(res.data?.updateCampaignSync.__typename).toBe('NotFoundError');
    }
    expect((await campaignRow(c.id))?.syncAs).toBe('APPLICATION');
  });

  it('keeps members from changing options while locked, yet lets them change Sync as and tags', async () => {
    const team = await t.createTeam();
    const c = await createCampaign(t, team.memberToken);
    const adminSet = await createCampaign(t, team.adminToken, { options: { addApplicationWhen: 'REPLIED' } });
    await lockTeam(team.adminToken);
    const setOptions = await t.gql<Loose>(
      UPDATE_CAMPAIGN_SYNC,
      { id: c.id, input: { options: { addApplicationWhen: 'REPLIED' } } },
      team.memberToken,
    );
    expect(setOptions.data?.updateCampaignSync.__typename).toBe('SettingsLockedError');
    const tags = await t.gql<Loose>(
      UPDATE_CAMPAIGN_SYNC,
      { id: c.id, input: { syncAs: 'DO_NOT_SYNC', fieldValues: [{ field: 'stage', value: '3' }] } },
      team.memberToken,
    );
    expect(tags.data?.updateCampaignSync.__typename).toBe('Campaign');
    // A member (as admin-owned campaigns are not theirs, use the admin's campaign via the admin) —
    // and an admin may still change options.
    const admin = await t.gql<Loose>(
      UPDATE_CAMPAIGN_SYNC,
      { id: adminSet.id, input: { options: { addApplicationWhen: 'NEVER' } } },
      team.adminToken,
    );
    expect(admin.data?.updateCampaignSync.effectiveSync.addApplicationWhen).toBe('NEVER');
  });

  it('reports invalid tags with their paths and saves nothing', async () => {
    const team = await t.createTeam();
    const c = await createCampaign(t, team.adminToken, { fieldValues: [{ field: 'job', value: '1' }] });
    const res = await t.gql<Loose>(
      UPDATE_CAMPAIGN_SYNC,
      { id: c.id, input: { syncAs: 'DO_NOT_SYNC', fieldValues: [{ field: 'nope', value: '1' }] } },
      team.adminToken,
    );
    expect(res.data?.updateCampaignSync.__typename).toBe('ValidationError');
    expect(res.data?.updateCampaignSync.fieldErrors[0].path).toEqual(['input', 'fieldValues', '0', 'field']);
    const row = await campaignRow(c.id);
    expect(row?.syncAs).toBe('APPLICATION');
  });
});

describe('campaigns and campaign(id)', () => {
  it('lists the team’s campaigns newest first with totalCount and keyset cursors', async () => {
    const team = await t.createTeam();
    const other = await t.createTeam();
    await createCampaign(t, other.adminToken, { name: 'Not mine' });
    for (const name of ['one', 'two', 'three', 'four', 'five'])
      await createCampaign(t, team.memberToken, { name });
    const q = `query($first: Int, $after: String) { campaigns(first: $first, after: $after) {
      totalCount edges { cursor node { name } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
    const first = await t.gql<Loose>(q, { first: 2 }, team.adminToken);
    expect(first.data?.campaigns.totalCount).toBe(5);
    expect(first.data?.campaigns.edges.map((e: Loose) => e.node.name)).toEqual(['five', 'four']);
    expect(first.data?.campaigns.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = await t.gql<Loose>(
      q,
      { first: 2, after: first.data?.campaigns.pageInfo.endCursor },
      team.adminToken,
    );
    expect(second.data?.campaigns.edges.map((e: Loose) => e.node.name)).toEqual(['three', 'two']);
    const third = await t.gql<Loose>(
      q,
      { first: 2, after: second.data?.campaigns.pageInfo.endCursor },
      team.adminToken,
    );
    expect(third.data?.campaigns.edges.map((e: Loose) => e.node.name)).toEqual(['one']);
    expect(third.data?.campaigns.pageInfo.hasNextPage).toBe(false);

    const bad = await t.gql<Loose>(q, { first: 2, after: 'not-a-cursor' }, team.adminToken);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const big = await t.gql<Loose>(q, { first: 101 }, team.adminToken);
    expect(big.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers campaign(id) and node(id) for the team’s own campaign', async () => {
    const team = await t.createTeam();
    const c = await createCampaign(t, team.adminToken, { name: 'Mine' });
    const res = await t.gql<Loose>(
      'query($id: ID!) { campaign(id: $id) { name owner { email } } node(id: $id) { ... on Campaign { name } } }',
      { id: c.id },
      team.memberToken,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.campaign.name).toBe('Mine');
    expect(res.data?.node.name).toBe('Mine');
  });

  it('answers another team’s campaign with null and NOT_FOUND, as for an unknown id', async () => {
    const mine = await t.createTeam();
    const theirs = await t.createTeam();
    const c = await createCampaign(t, theirs.adminToken);
    for (const id of [c.id, globalId('Campaign', '00000000-0000-0000-0000-000000000000'), 'bogus']) {
      const res = await t.gql<Loose>(
        'query($id: ID!) { campaign(id: $id) { name } }',
        { id },
        mine.adminToken,
      );
      expect(res.data?.campaign).toBeNull();
      expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      const node = await t.gql<Loose>('query($id: ID!) { node(id: $id) { id } }', { id }, mine.adminToken);
      expect(node.data?.node ?? null).toBeNull();
    }
  });

  it('pages a campaign’s contacts in the order they were added', async () => {
    const team = await t.createTeam();
    const c = await createCampaign(t, team.adminToken);
    await addContacts(t, team.adminToken, c.id, [{ email: 'a@example.com' }, { email: 'b@example.com' }]);
    await addContacts(t, team.adminToken, c.id, [{ email: 'c@example.com' }]);
    const q = `query($id: ID!, $after: String) { campaign(id: $id) { contacts(first: 2, after: $after) {
      totalCount edges { node { contact { email } } } pageInfo { hasNextPage endCursor } } } }`;
    const p1 = await t.gql<Loose>(q, { id: c.id }, team.memberToken);
    expect(p1.data?.campaign.contacts.totalCount).toBe(3);
    expect(p1.data?.campaign.contacts.edges).toHaveLength(2);
    expect(p1.data?.campaign.contacts.pageInfo.hasNextPage).toBe(true);
    const p2 = await t.gql<Loose>(
      q,
      { id: c.id, after: p1.data?.campaign.contacts.pageInfo.endCursor },
      team.memberToken,
    );
    expect(p2.data?.campaign.contacts.edges.map((e: Loose) => e.node.contact.email)).toEqual([
      'c@example.com',
    ]);
    const all = [...p1.data.campaign.contacts.edges, ...p2.data.campaign.contacts.edges].map(
      (e: Loose) => e.node.contact.email,
    );
    expect(new Set(all).size).toBe(3);
  });
});

describe('campaign rows', () => {
  it('never mixes teams: a campaign row belongs to its creator’s team', async () => {
    const team = await t.createTeam();
    const c = await createCampaign(t, team.memberToken);
    const [row] = await t.database.db
      .select()
      .from(campaignsTable)
      .where(and(eq(campaignsTable.id, rawId(c.id)), eq(campaignsTable.teamId, team.teamId)));
    expect(row?.ownerId).toBe(team.memberId);
  });
});
