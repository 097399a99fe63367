import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GqlResult, openTestDatabase, TestServer, usingPostgres } from '../helpers/server.js';
import { record, wsClient } from '../helpers/subscriptions.js';
import {
  addContacts,
  createCampaign,
  person,
  recordReply,
  type SyncWorld,
  setupTeam,
  startSyncWorld,
  waitForIdle,
  waitForStatus,
} from '../helpers/sync.js';

let world: SyncWorld;
/** A second API instance without workers: subscribers here hear what the first instance's workers do. */
let observer: TestServer;

beforeAll(async () => {
  world = await startSyncWorld();
  observer = await TestServer.start({
    env: { PINPOINT_BASE_URL: world.sim.baseUrlTemplate },
    database: usingPostgres ? await openTestDatabase() : world.t.database,
  });
});
afterAll(async () => {
  await observer?.stop();
  if (usingPostgres) await observer?.database.close();
  await world?.stop();
});

type EventNode = {
  id: string;
  kind: string;
  status: string | null;
  message: string;
  campaignContact: { id: string } | null;
};
const LIST = `query($first: Int, $after: String, $campaignId: ID, $status: SyncStatus) {
  syncEvents(first: $first, after: $after, campaignId: $campaignId, status: $status) {
    edges { cursor node { id kind status message campaignContact { id } } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`;

describe('the syncEvents list', () => {
  it('pages newest first, filters by campaign and status, and shows only your team', async () => {
    const team = await setupTeam(world, {
      addApplicationWhen: 'ADDED_TO_CAMPAIGN',
      mandatoryFields: ['job', 'stage'],
      displayedFields: ['job', 'stage'],
    });
    const blockedCampaign = await createCampaign(world, team, { name: 'No stage' });
    const syncedCampaign = await createCampaign(world, team, {
      name: 'With stage',
      fieldValues: [
        { field: 'job', value: team.job.id },
        { field: 'stage', value: team.job.stages[0]!.id },
      ],
    });
    const blocked = await addContacts(world, team, blockedCampaign, [
      person('b1'),
      person('b2'),
      person('b3'),
    ]);
    const synced = await addContacts(world, team, syncedCampaign, [person('s1'), person('s2')]);
    for (const cc of blocked) await waitForStatus(world, team, cc, 'BLOCKED');
    for (const cc of synced) await waitForStatus(world, team, cc, 'SYNCED');
    await waitForIdle(world, team);

    type List = {
      syncEvents: {
        edges: { cursor: string; node: EventNode }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
        totalCount: number;
      };
    };
    const first = await world.t.gql<List>(LIST, { first: 3 }, team.memberToken);
    expect(first.data?.syncEvents.edges).toHaveLength(3);
    expect(first.data?.syncEvents.pageInfo.hasNextPage).toBe(true);
    expect(first.data?.syncEvents.totalCount).toBe(5);
    const second = await world.t.gql<List>(
      LIST,
      { first: 10, after: first.data?.syncEvents.pageInfo.endCursor },
      team.memberToken,
    );
    const all = [...(first.data?.syncEvents.edges ?? []), ...(second.data?.syncEvents.edges ?? [])].map(
      (e) => e.node,
    );
    expect(all).toHaveLength(5);
    expect(new Set(all.map((n) => n.id)).size).toBe(5);

    const onlyBlocked = await world.t.gql<List>(
      LIST,
      { first: 10, campaignId: blockedCampaign },
      team.memberToken,
    );
    expect(onlyBlocked.data?.syncEvents.edges.map((e) => e.node.kind)).toEqual([
      'BLOCKED',
      'BLOCKED',
      'BLOCKED',
    ]);
    expect(onlyBlocked.data?.syncEvents.edges[0]?.node.message).toMatch(/stage/i);
    expect(onlyBlocked.data?.syncEvents.totalCount).toBe(3);
    const bySynced = await world.t.gql<List>(LIST, { first: 10, status: 'SYNCED' }, team.memberToken);
    expect(bySynced.data?.syncEvents.edges.map((e) => e.node.campaignContact?.id).sort()).toEqual(
      [...synced].sort(),
    );
    expect(bySynced.data?.syncEvents.totalCount).toBe(2);
    const blockedOfSynced = await world.t.gql<List>(
      LIST,
      { first: 1, campaignId: syncedCampaign, status: 'BLOCKED' },
      team.memberToken,
    );
    expect(blockedOfSynced.data?.syncEvents.totalCount).toBe(0);

    const other = await world.t.createTeam();
    const foreign = await world.t.gql<List>(LIST, { first: 10 }, other.adminToken);
    expect(foreign.data?.syncEvents.edges).toEqual([]);
    expect(foreign.data?.syncEvents.totalCount).toBe(0);
    const foreignCampaign = await world.t.gql<List>(
      LIST,
      { first: 10, campaignId: syncedCampaign },
      other.adminToken,
    );
    expect(foreignCampaign.data?.syncEvents.edges).toEqual([]);
    expect(foreignCampaign.data?.syncEvents.totalCount).toBe(0);
    const notACampaign = await world.t.gql<List>(LIST, { campaignId: 'nonsense' }, team.memberToken);
    expect(notACampaign.data?.syncEvents).toMatchObject({ edges: [], totalCount: 0 });
    const badCursor = await world.t.gql(LIST, { first: 10, after: 'nonsense' }, team.memberToken);
    expect(badCursor.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('the syncEvents subscription', () => {
  it('streams each event of a campaign, made by workers of another instance, to subscribers of that team only', async () => {
    const team = await setupTeam(world, { addApplicationWhen: 'REPLIED' });
    const campaignId = await createCampaign(world, team);
    const otherCampaign = await createCampaign(world, team, { name: 'Other campaign' });
    const stranger = await observer.createTeam();
    type Msg = { syncEvents: { kind: string; campaignContact: { id: string } | null } };
    const SUB = 'subscription($c: ID) { syncEvents(campaignId: $c) { kind campaignContact { id } } }';
    const mine = wsClient(observer.wsUrl, team.memberToken);
    const theirs = wsClient(observer.wsUrl, stranger.adminToken);
    const mySub = record<Msg>(mine, SUB, { c: campaignId });
    const theirSub = record<Msg>(theirs, 'subscription { syncEvents { kind } }');
    try {
      await new Promise((r) => setTimeout(r, 300)); // both subscriptions are listening
      const [cc] = await addContacts(world, team, campaignId, [person('sub')]);
      await addContacts(world, team, otherCampaign, [person('elsewhere')]);
      await recordReply(world, team, cc!, false);
      await waitForStatus(world, team, cc!, 'SYNCED');
      // NOTED (the reply's note) follows CREATED in its own notification: wait for the last one.
      const values = await mySub.waitFor((v) => v.some((m) => m.syncEvents.kind === 'NOTED'));
      expect(values.every((m) => m.syncEvents.campaignContact?.id === cc)).toBe(true);
      expect(values.map((m) => m.syncEvents.kind)).toEqual(['SKIPPED', 'CREATED', 'NOTED']);
      expect(theirSub.values).toEqual([]);
      expect(mySub.errors).toEqual([]);
    } finally {
      mySub.dispose();
      theirSub.dispose();
      await mine.dispose();
      await theirs.dispose();
    }
  });
});

describe('edge cases of ids and cursors', () => {
  it('pages through events one at a time in log order, newest written first, whatever their timestamps', async () => {
    const team = await setupTeam(world);
    const { syncEventsTable } = await import('../../src/db/schema.js');
    const { sql } = await import('drizzle-orm');
    const base = '2026-11-20 10:00:00.123';
    for (const micro of ['900', '500', '100', '000']) {
      await world.t.database.db.insert(syncEventsTable).values({
        teamId: team.teamId,
        kind: 'SKIPPED',
        message: `event ${micro}`,
        createdAt: sql`${`${base}${micro}+00`}::timestamptz`,
      });
    }
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 6; page++) {
      type Page = {
        syncEvents: {
          edges: { node: { message: string } }[];
          pageInfo: { hasNextPage: boolean; endCursor: string };
        };
      };
      const res: GqlResult<Page> = await world.t.gql<Page>(LIST, { first: 1, after }, team.adminToken);
      seen.push(...(res.data?.syncEvents.edges.map((e) => e.node.message) ?? []));
      if (!res.data?.syncEvents.pageInfo.hasNextPage) break;
      after = res.data.syncEvents.pageInfo.endCursor;
    }
    expect(seen).toEqual(['event 000', 'event 100', 'event 500', 'event 900']);
  });

  it('answers malformed or foreign ids as not found, never as an internal error', async () => {
    const team = await setupTeam(world);
    for (const id of ['bogus', '!!!', '']) {
      const reply = await world.t.gql<{ recordReply: { __typename: string } }>(
        `mutation($id: ID!) { recordReply(campaignContactId: $id) { __typename } }`,
        { id },
        team.memberToken,
      );
      expect(reply.data?.recordReply.__typename).toBe('NotFoundError');
      const preview = await world.t.gql(
        `query($id: ID!) { syncPreview(campaignContactId: $id) { steps { action } } }`,
        { id },
        team.memberToken,
      );
      expect(preview.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      const events = await world.t.gql<{ syncEvents: { edges: unknown[] } }>(
        LIST,
        { first: 5, campaignId: id },
        team.memberToken,
      );
      expect(events.data?.syncEvents.edges).toEqual([]);
    }
    const node = await world.t.gql(`query { node(id: "bogus") { id } }`, {}, team.memberToken);
    expect(node.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('a revoked token', () => {
  it('ends a live syncEvents subscription at the next event', async () => {
    const t = await TestServer.start({
      env: { PINPOINT_BASE_URL: world.sim.baseUrlTemplate, SUBSCRIPTION_TOKEN_RECHECK_MS: '0' },
      database: usingPostgres ? await openTestDatabase() : world.t.database,
    });
    try {
      const team = await setupTeam(world, { addApplicationWhen: 'ADDED_TO_CAMPAIGN' });
      const campaignId = await createCampaign(world, team);
      const client = wsClient(t.wsUrl, team.memberToken);
      type Msg = { syncEvents: { kind: string } };
      const sub = record<Msg>(client, 'subscription($c: ID) { syncEvents(campaignId: $c) { kind } }', {
        c: campaignId,
      });
      try {
        await new Promise((r) => setTimeout(r, 300));
        const [first] = await addContacts(world, team, campaignId, [person('before')]);
        await waitForStatus(world, team, first!, 'SYNCED');
        await sub.waitFor((v) => v.length >= 1);
        const { revokeToken } = await import('../../src/app/tokens.js');
        expect(await revokeToken(world.t.database.db, team.memberToken)).toBe(true);
        const heard = sub.values.length;
        const [second] = await addContacts(world, team, campaignId, [person('after')]);
        await waitForStatus(world, team, second!, 'SYNCED');
        await new Promise((r) => setTimeout(r, 300));
        expect(sub.values.length).toBe(heard);
      } finally {
        sub.dispose();
        await client.dispose();
      }
    } finally {
      await t.stop();
      if (usingPostgres) await t.database.close();
    }
  });
});
