import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignContactsTable, syncJobsTable } from '../../src/db/schema.js';
import {
  addContacts,
  CAMPAIGN_CONTACT_FIELDS,
  CLEAR_OVERRIDE,
  createCampaign,
  type Loose,
  SET_OVERRIDE,
  sourceOf,
  UPDATE_CAMPAIGN_SYNC,
} from '../helpers/campaigns.js';
import { globalId, TestServer, type TestTeam } from '../helpers/server.js';

let t: TestServer;
beforeAll(async () => {
  t = await TestServer.start();
});
afterAll(async () => {
  await t?.stop();
});

const rawId = (id: string) => Buffer.from(id, 'base64').toString('utf8').split(':')[1] ?? '';

async function setup(ownerToken?: (team: TestTeam) => string) {
  const team = await t.createTeam();
  const token = ownerToken ? ownerToken(team) : team.memberToken;
  const campaign = await createCampaign(t, token, {
    fieldValues: [
      { field: 'job', value: '100' },
      { field: 'tags', values: ['campaign'] },
    ],
  });
  const [cc] = await addContacts(t, token, campaign.id, [
    { email: 'pat@example.com', firstName: 'Pat', lastName: 'Lee' },
  ]);
  return { team, campaign, cc };
}

async function readCc(id: string, token: string): Promise<Loose> {
  const res = await t.gql<Loose>(
    `query($id: ID!) { node(id: $id) { ... on CampaignContact { ${CAMPAIGN_CONTACT_FIELDS} } } }`,
    { id },
    token,
  );
  expect(res.errors).toBeUndefined();
  return res.data?.node;
}

async function mutate(query: string, variables: Record<string, unknown>, token: string): Promise<Loose> {
  const res = await t.gql<Loose>(query, variables, token);
  expect(res.errors).toBeUndefined();
  return Object.values(res.data ?? {})[0];
}

async function settingsJobs(teamId: string) {
  const rows = await t.database.db.select().from(syncJobsTable).where(eq(syncJobsTable.teamId, teamId));
  return rows.filter((r) => (r.payload as Loose).event.kind === 'SETTINGS_CHANGED');
}

describe('effective sync precedence through GraphQL', () => {
  it('resolves team → personal default → campaign → override, and back after clearSyncOverride', async () => {
    const { team, campaign, cc } = await setup();
    const when = async () => {
      const node = await readCc(cc.id, team.memberToken);
      return [node.effectiveSync.addApplicationWhen, sourceOf(node.effectiveSync, 'addApplicationWhen')];
    };
    expect(await when()).toEqual(['INTERESTED', 'TEAM']);

    const teamRes = await mutate(
      'mutation { updateTeamSettings(input: { addApplicationWhen: REPLIED }) { __typename } }',
      {},
      team.adminToken,
    );
    expect(teamRes.__typename).toBe('TeamSettings');
    expect(await when()).toEqual(['REPLIED', 'TEAM']);

    // The campaign owner (the member) sets a personal default.
    const mine = await mutate(
      'mutation { updateMySettings(input: { addApplicationWhen: ADDED_TO_CAMPAIGN }) { __typename } }',
      {},
      team.memberToken,
    );
    expect(mine.__typename).toBe('UserSettings');
    expect(await when()).toEqual(['ADDED_TO_CAMPAIGN', 'USER']);
    // Another user's personal default does not apply to this campaign.
    await mutate(
      'mutation { updateMySettings(input: { addApplicationWhen: NEVER }) { __typename } }',
      {},
      team.adminToken,
    );
    expect(await when()).toEqual(['ADDED_TO_CAMPAIGN', 'USER']);

    await mutate(
      UPDATE_CAMPAIGN_SYNC,
      { id: campaign.id, input: { options: { addApplicationWhen: 'NEVER' } } },
      team.memberToken,
    );
    expect(await when()).toEqual(['NEVER', 'CAMPAIGN']);

    const set = await mutate(
      SET_OVERRIDE,
      {
        id: cc.id,
        input: {
          syncAs: 'DO_NOT_SYNC',
          options: { addApplicationWhen: 'INTERESTED' },
          fieldValues: [
            { field: 'job', value: '200' },
            { field: 'stage', value: '5' },
          ],
        },
      },
      team.memberToken,
    );
    expect(set.__typename).toBe('CampaignContact');
    expect(set.override).toMatchObject({
      syncAs: 'DO_NOT_SYNC',
      options: { addApplicationWhen: 'INTERESTED' },
    });
    expect(typeof set.override.updatedAt).toBe('string');
    expect(await when()).toEqual(['INTERESTED', 'OVERRIDE']);
    const node = await readCc(cc.id, team.memberToken);
    expect(node.effectiveSync.syncAs).toBe('DO_NOT_SYNC');
    expect(sourceOf(node.effectiveSync, 'syncAs')).toBe('OVERRIDE');
    // Tags merge by field: the override's job wins, the campaign's tags stay, the override adds a stage.
    expect(node.effectiveSync.fieldValues).toEqual([
      { field: 'job', value: '200', values: null },
      { field: 'tags', value: null, values: ['campaign'] },
      { field: 'stage', value: '5', values: null },
    ]);
    expect(sourceOf(node.effectiveSync, 'fieldValues.job')).toBe('OVERRIDE');
    expect(sourceOf(node.effectiveSync, 'fieldValues.tags')).toBe('CAMPAIGN');

    const cleared = await mutate(CLEAR_OVERRIDE, { id: cc.id }, team.memberToken);
    expect(cleared.override).toBeNull();
    expect(await when()).toEqual(['NEVER', 'CAMPAIGN']);
    expect(cleared.effectiveSync.syncAs).toBe('APPLICATION');
    expect(cleared.effectiveSync.fieldValues[0]).toEqual({ field: 'job', value: '100', values: null });

    await mutate(UPDATE_CAMPAIGN_SYNC, { id: campaign.id, input: { options: null } }, team.memberToken);
    expect(await when()).toEqual(['ADDED_TO_CAMPAIGN', 'USER']);
    await mutate(
      'mutation { updateMySettings(input: { addApplicationWhen: null }) { __typename } }',
      {},
      team.memberToken,
    );
    expect(await when()).toEqual(['REPLIED', 'TEAM']);
  });

  it('shows the campaign-level effective sync without any override', async () => {
    const { team, campaign, cc } = await setup();
    await mutate(
      SET_OVERRIDE,
      { id: cc.id, input: { options: { addApplicationWhen: 'REPLIED' } } },
      team.memberToken,
    );
    const res = await t.gql<Loose>(
      'query($id: ID!) { campaign(id: $id) { effectiveSync { addApplicationWhen sources { setting source } } } }',
      { id: campaign.id },
      team.memberToken,
    );
    expect(res.data?.campaign.effectiveSync.addApplicationWhen).toBe('INTERESTED');
    expect(sourceOf(res.data?.campaign.effectiveSync, 'addApplicationWhen')).toBe('TEAM');
  });
});

describe('setSyncOverride and clearSyncOverride', () => {
  it('keeps parts left out, clears parts sent as null, and removes an override left empty', async () => {
    const { team, cc } = await setup();
    const a = await mutate(SET_OVERRIDE, { id: cc.id, input: { syncAs: 'DO_NOT_SYNC' } }, team.memberToken);
    expect(a.override).toMatchObject({ syncAs: 'DO_NOT_SYNC', options: null, fieldValues: [] });
    const b = await mutate(
      SET_OVERRIDE,
      { id: cc.id, input: { fieldValues: [{ field: 'tags', values: ['vip'] }] } },
      team.memberToken,
    );
    expect(b.override).toMatchObject({
      syncAs: 'DO_NOT_SYNC',
      fieldValues: [{ field: 'tags', value: null, values: ['vip'] }],
    });
    const c = await mutate(
      SET_OVERRIDE,
      { id: cc.id, input: { syncAs: null, fieldValues: [] } },
      team.memberToken,
    );
    expect(c.override).toBeNull();
    const [row] = await t.database.db
      .select()
      .from(campaignContactsTable)
      .where(eq(campaignContactsTable.id, rawId(cc.id)));
    expect(row?.overrideUpdatedAt).toBeNull();
  });

  it('fills missing mandatory fields from the override’s tags', async () => {
    const team = await t.createTeam();
    const campaign = await createCampaign(t, team.memberToken);
    const [cc] = await addContacts(t, team.memberToken, campaign.id, [
      { email: 'x@example.com', firstName: 'X', lastName: 'Y' },
    ]);
    expect(cc.missingMandatoryFields).toEqual(['job']);
    const set = await mutate(
      SET_OVERRIDE,
      { id: cc.id, input: { fieldValues: [{ field: 'job', value: '9' }] } },
      team.memberToken,
    );
    expect(set.missingMandatoryFields).toEqual([]);
  });

  it('queues SETTINGS_CHANGED with each change, in the same transaction', async () => {
    const { team, cc } = await setup();
    expect(await settingsJobs(team.teamId)).toHaveLength(0);
    await mutate(SET_OVERRIDE, { id: cc.id, input: { syncAs: 'DO_NOT_SYNC' } }, team.memberToken);
    expect(await settingsJobs(team.teamId)).toHaveLength(1);
    await mutate(CLEAR_OVERRIDE, { id: cc.id }, team.memberToken);
    const jobs = await settingsJobs(team.teamId);
    expect(jobs).toHaveLength(2);
    expect(jobs.every((j) => j.campaignContactId === rawId(cc.id))).toBe(true);
    // Clearing when there is nothing to clear changes nothing.
    await mutate(CLEAR_OVERRIDE, { id: cc.id }, team.memberToken);
    expect(await settingsJobs(team.teamId)).toHaveLength(2);
  });

  it('reports invalid tags and options with their paths and saves nothing', async () => {
    const { team, cc } = await setup();
    const res = await mutate(
      SET_OVERRIDE,
      {
        id: cc.id,
        input: {
          syncAs: 'DO_NOT_SYNC',
          fieldValues: [
            { field: 'job', value: '1' },
            { field: 'whatever', value: '1' },
          ],
        },
      },
      team.memberToken,
    );
    expect(res.__typename).toBe('ValidationError');
    expect(res.fieldErrors.map((e: Loose) => e.path)).toEqual([['input', 'fieldValues', '1', 'field']]);
    expect((await readCc(cc.id, team.memberToken)).override).toBeNull();
  });

  it('lets members change Sync as and tags but not options while the team is locked', async () => {
    const { team, cc } = await setup();
    await mutate(
      'mutation { updateTeamSettings(input: { lockedForMembers: true }) { __typename } }',
      {},
      team.adminToken,
    );
    const refused = await mutate(
      SET_OVERRIDE,
      { id: cc.id, input: { options: { addApplicationWhen: 'REPLIED' } } },
      team.memberToken,
    );
    expect(refused.__typename).toBe('SettingsLockedError');
    const allowed = await mutate(
      SET_OVERRIDE,
      {
        id: cc.id,
        input: { syncAs: 'DO_NOT_SYNC', options: null, fieldValues: [{ field: 'stage', value: '1' }] },
      },
      team.memberToken,
    );
    expect(allowed.__typename).toBe('CampaignContact');

    // An admin's override options hold against members: they can neither clear them nor the override.
    const byAdmin = await mutate(
      SET_OVERRIDE,
      { id: cc.id, input: { options: { addApplicationWhen: 'REPLIED' } } },
      team.adminToken,
    );
    expect(byAdmin.effectiveSync.addApplicationWhen).toBe('REPLIED');
    expect(sourceOf(byAdmin.effectiveSync, 'addApplicationWhen')).toBe('OVERRIDE');
    expect(
      (await mutate(SET_OVERRIDE, { id: cc.id, input: { options: null } }, team.memberToken)).__typename,
    ).toBe('SettingsLockedError');
    expect((await mutate(CLEAR_OVERRIDE, { id: cc.id }, team.memberToken)).__typename).toBe(
      'SettingsLockedError',
    );
    // Sync as is never locked, and the admin's options stay.
    const syncAs = await mutate(
      SET_OVERRIDE,
      { id: cc.id, input: { syncAs: 'APPLICATION' } },
      team.memberToken,
    );
    expect(syncAs.override.options.addApplicationWhen).toBe('REPLIED');
    expect((await mutate(CLEAR_OVERRIDE, { id: cc.id }, team.adminToken)).override).toBeNull();
  });

  it('ignores override options a member set before the lock', async () => {
    const { team, cc } = await setup();
    await mutate(
      SET_OVERRIDE,
      { id: cc.id, input: { options: { addApplicationWhen: 'REPLIED' } } },
      team.memberToken,
    );
    await mutate(
      'mutation { updateTeamSettings(input: { lockedForMembers: true }) { __typename } }',
      {},
      team.adminToken,
    );
    const node = await readCc(cc.id, team.adminToken);
    expect(node.override.options.addApplicationWhen).toBe('REPLIED');
    expect(node.effectiveSync.addApplicationWhen).toBe('INTERESTED');
    expect(sourceOf(node.effectiveSync, 'addApplicationWhen')).toBe('TEAM');
  });

  it('answers NotFoundError for another team’s campaign contact and changes nothing', async () => {
    const { team, cc } = await setup();
    const intruder = await t.createTeam();
    const ids = [
      cc.id,
      globalId('CampaignContact', '00000000-0000-0000-0000-000000000000'),
      globalId('Campaign', rawId(cc.id)),
      '!!',
    ];
    for (const id of ids) {
      expect(
        (await mutate(SET_OVERRIDE, { id, input: { syncAs: 'DO_NOT_SYNC' } }, intruder.adminToken))
          .__typename,
      ).toBe('NotFoundError');
      expect((await mutate(CLEAR_OVERRIDE, { id }, intruder.adminToken)).__typename).toBe('NotFoundError');
    }
    expect((await readCc(cc.id, team.memberToken)).override).toBeNull();
    expect(await settingsJobs(team.teamId)).toHaveLength(0);
    const node = await t.gql<Loose>(
      'query($id: ID!) { node(id: $id) { id } }',
      { id: cc.id },
      intruder.adminToken,
    );
    expect(node.data?.node ?? null).toBeNull();
  });
});
