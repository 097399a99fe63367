import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReadCache } from '../../src/app/read-cache.js';
import { createLogger } from '../../src/logger.js';
import { openTestDatabase, TestServer, type TestTeam, usingPostgres } from '../helpers/server.js';

// The read cache (src/app/read-cache.ts, src/graphql/read-cache.ts): a repeated dashboard is answered
// without SQL, and no answer is ever older than the request: a change committed before a read (by
// this server, by another process, by hand) is in that read's answer.
let t: TestServer;
let counting = false;
let statements = 0;
/** Writes as another instance would: its own connection on PostgreSQL, the same session on PGlite. */
let other: postgres.Sql | null = null;

beforeAll(async () => {
  const database = await openTestDatabase({
    onQuery: () => {
      if (counting) statements += 1;
    },
  });
  t = await TestServer.start({ database });
  await cacheArmed();
  if (usingPostgres)
    other = postgres(process.env.TEST_DATABASE_URL as string, { max: 2, onnotice: () => {} });
});
afterAll(async () => {
  await t?.stop();
  await t?.database.close();
  await other?.end({ timeout: 5 });
});

/** The change feed arms in the background after the start: wait until a repeated read is cached. */
async function cacheArmed(): Promise<void> {
  const team = await t.createTeam();
  const read = () => t.gql('{ campaigns(first: 1) { totalCount } }', {}, team.adminToken);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    await read();
    if ((await counted(read)).statements === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the read cache did not arm within 10 s');
}

async function write(statement: string, ...params: string[]): Promise<void> {
  if (other) await other.unsafe(statement, params);
  else if (t.database.raw.kind === 'pglite') await t.database.raw.client.query(statement, params);
}

const DASHBOARD = `query Dashboard {
  campaigns(first: 10) { totalCount edges { cursor node { id name owner { email }
    effectiveSync { syncAs }
    contacts(first: 10) { edges { node { id stage syncStatus override { syncAs }
      effectiveSync { addApplicationWhen } contact { email firstName } } } }
  } } }
}`;

interface Dashboard {
  campaigns: {
    edges: {
      node: { name: string; contacts: { edges: { node: { contact: { firstName: string | null } } }[] } };
    }[];
  };
}

async function seeded(): Promise<{ team: TestTeam; campaignId: string }> {
  const team = await t.createTeam();
  const created = await t.gql<{ createCampaign: { id: string } }>(
    `mutation { createCampaign(input: { name: "Spring", channel: EMAIL, syncAs: APPLICATION }) { ... on Campaign { id } } }`,
    {},
    team.adminToken,
  );
  const campaignId = created.data?.createCampaign.id as string;
  const added = await t.gql(
    `mutation($id: ID!) { addContactsToCampaign(campaignId: $id, contacts: [
      { email: "ada@example.com", firstName: "Ada" }, { email: "bo@example.com", firstName: "Bo" }
    ]) { __typename } }`,
    { id: campaignId },
    team.adminToken,
  );
  expect(added.data).toEqual({ addContactsToCampaign: { __typename: 'AddContactsToCampaignPayload' } });
  return { team, campaignId };
}

async function counted<T>(run: () => Promise<T>): Promise<{ value: T; statements: number }> {
  statements = 0;
  counting = true;
  try {
    return { value: await run(), statements };
  } finally {
    counting = false;
  }
}

const firstNames = (d: Dashboard | null | undefined) =>
  d?.campaigns.edges.flatMap((e) => e.node.contacts.edges.map((c) => c.node.contact.firstName)).sort();

describe('the read cache', () => {
  it('answers a repeated dashboard with the same data and no SQL', async () => {
    const { team } = await seeded();
    const first = await counted(() => t.gql<Dashboard>(DASHBOARD, {}, team.adminToken));
    expect(first.value.errors).toBeUndefined();
    expect(first.statements).toBeGreaterThan(0);
    const second = await counted(() => t.gql<Dashboard>(DASHBOARD, {}, team.adminToken));
    expect(second.statements).toBe(0);
    expect(second.value.body).toEqual(first.value.body);
    expect(firstNames(second.value.data)).toEqual(['Ada', 'Bo']);
  });

  it('never answers with data older than a write committed before the read (20 write → read pairs)', async () => {
    const { team } = await seeded();
    await t.gql(DASHBOARD, {}, team.adminToken);
    for (let i = 0; i < 20; i++) {
      await t.gql(DASHBOARD, {}, team.adminToken); // cached again before each write
      await write(
        'update contacts set first_name = $1 where team_id = $2 and email = $3',
        `Ada ${i}`,
        team.teamId,
        'ada@example.com',
      );
      const read = await t.gql<Dashboard>(DASHBOARD, {}, team.adminToken);
      expect(firstNames(read.data)).toEqual([`Ada ${i}`, 'Bo']);
    }
  });

  it('sees a change made through the API in the next read', async () => {
    const { team, campaignId } = await seeded();
    await t.gql(DASHBOARD, {}, team.adminToken);
    const renamed = await t.gql(
      `mutation($id: ID!) { updateCampaignSync(id: $id, input: { syncAs: DO_NOT_SYNC }) { __typename } }`,
      { id: campaignId },
      team.adminToken,
    );
    expect(renamed.errors).toBeUndefined();
    const read = await t.gql<{ campaigns: { edges: { node: { effectiveSync: { syncAs: string } } }[] } }>(
      DASHBOARD,
      {},
      team.adminToken,
    );
    expect(read.data?.campaigns.edges[0]?.node.effectiveSync.syncAs).toBe('DO_NOT_SYNC');
  });

  it('keeps a read of anything but team data (the Pinpoint link needs the integration) uncached', async () => {
    const { team } = await seeded();
    // With an application id, the link needs the integration's Pinpoint domain (read, not cached).
    await write(
      'update campaign_contacts set pinpoint_application_id = $1 where team_id = $2',
      'app-1',
      team.teamId,
    );
    const withLink =
      '{ campaigns(first: 5) { edges { node { contacts(first: 5) { edges { node { pinpointUrl } } } } } } }';
    await t.gql(withLink, {}, team.adminToken);
    expect((await counted(() => t.gql(withLink, {}, team.adminToken))).statements).toBeGreaterThan(0);
  });

  it('keeps each viewer and each team apart', async () => {
    const a = await seeded();
    const b = await seeded();
    await write(
      'update contacts set first_name = $1 where team_id = $2 and email = $3',
      'Bea',
      b.team.teamId,
      'bo@example.com',
    );
    await t.gql(DASHBOARD, {}, a.team.adminToken);
    const member = await counted(() => t.gql<Dashboard>(DASHBOARD, {}, a.team.memberToken));
    expect(member.statements).toBeGreaterThan(0); // the admin's answer is not the member's
    const other = await t.gql<Dashboard>(DASHBOARD, {}, b.team.adminToken);
    expect(firstNames(other.data)).toEqual(['Ada', 'Bea']);
    expect(firstNames((await t.gql<Dashboard>(DASHBOARD, {}, a.team.adminToken)).data)).toEqual([
      'Ada',
      'Bo',
    ]);
  });

  it('does not keep an answer made while its team changed', async () => {
    const { team } = await seeded();
    const cache = await openReadCache<string>(t.database, {
      maxBytes: 1024 * 1024,
      logger: createLogger('silent'),
    });
    try {
      // The feed arms in the background (PostgreSQL: its own connection's LISTEN).
      const deadline = Date.now() + 5_000;
      while (!cache.ticket(team.teamId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      cache.store(cache.ticket(team.teamId) as never, 'kept', 'before', 6);
      expect(await cache.get(team.teamId, 'kept')).toBe('before');
      const raced = cache.ticket(team.teamId);
      await write('update campaigns set name = $1 where team_id = $2', 'Renamed', team.teamId);
      expect(await cache.get(team.teamId, 'kept')).toBeUndefined(); // dropped by the change
      cache.store(raced as never, 'raced', 'stale', 5);
      expect(await cache.get(team.teamId, 'raced')).toBeUndefined();
      cache.store(cache.ticket(team.teamId) as never, 'fresh', 'after', 5);
      expect(await cache.get(team.teamId, 'fresh')).toBe('after');
    } finally {
      await cache.close();
    }
  });

  it.runIf(usingPostgres)(
    'serves nothing cached while its change feed is down, and resumes once it is back',
    async () => {
      const { team } = await seeded();
      await t.gql(DASHBOARD, {}, team.adminToken);
      await write(
        "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'pinpoint-bff-changes' and datname = current_database()",
      );
      // Changes made while nothing listens are never heard; the next reads must not miss them.
      await write(
        'update contacts set first_name = $1 where team_id = $2 and email = $3',
        'Ada after',
        team.teamId,
        'ada@example.com',
      );
      const read = await t.gql<Dashboard>(DASHBOARD, {}, team.adminToken);
      expect(firstNames(read.data)).toEqual(['Ada after', 'Bo']);
      // Back within a few seconds: a repeated read is answered without SQL again.
      const deadline = Date.now() + 10_000;
      let cachedAgain = false;
      while (!cachedAgain && Date.now() < deadline) {
        await t.gql(DASHBOARD, {}, team.adminToken);
        cachedAgain = (await counted(() => t.gql(DASHBOARD, {}, team.adminToken))).statements === 0;
        if (!cachedAgain) await new Promise((r) => setTimeout(r, 100));
      }
      expect(cachedAgain).toBe(true);
      await write(
        'update contacts set first_name = $1 where team_id = $2 and email = $3',
        'Ada again',
        team.teamId,
        'ada@example.com',
      );
      expect(firstNames((await t.gql<Dashboard>(DASHBOARD, {}, team.adminToken)).data)).toEqual([
        'Ada again',
        'Bo',
      ]);
    },
  );
});
