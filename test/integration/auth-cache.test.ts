// The viewer cache: a token is looked up once, not per request; a revocation on another instance
// (LISTEN/NOTIFY) is honoured within the notification's latency even with a long TTL, and once a
// request is refused no later one is served from the cache.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeToken } from '../../src/app/tokens.js';
import { openTestDatabase, TestServer, usingPostgres } from '../helpers/server.js';

const VIEWER = '{ viewer { user { id } } }';
const statements: string[] = [];
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  // A TTL far longer than the test: only the notification can clear the cache. Refusals are counted
  // here one by one, so the per-address throttle (auth-failures.test.ts) is off.
  const env = { AUTH_CACHE_TTL_MS: '300000', AUTH_FAILURE_LIMIT: '0' };
  const database = await openTestDatabase({ onQuery: (query) => statements.push(query) });
  a = await TestServer.start({ env, database });
  // On PostgreSQL the second instance has its own pool and LISTEN connection, as a second process.
  b = await TestServer.start({ env, database: usingPostgres ? await openTestDatabase() : database });
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
  if (usingPostgres) await b?.database.close();
  await a?.database.close();
});

/** Authentications and last_used_at writes; not the token index's read of a newly issued hash. */
function tokenQueries(): string[] {
  return statements.filter((q) => /"api_tokens"/.test(q) && !/^select "token_hash" from/.test(q));
}

describe('the viewer cache', () => {
  it('looks a token up once, and writes last_used_at at most once, over many requests', async () => {
    const team = await a.createTeam();
    statements.length = 0;
    for (let i = 0; i < 20; i++) {
      const res = await a.gql(VIEWER, {}, team.memberToken);
      expect(res.errors).toBeUndefined();
    }
    const queries = tokenQueries();
    expect(queries.filter((q) => /^select/i.test(q))).toHaveLength(1);
    expect(queries.filter((q) => /^update/i.test(q)).length).toBeLessThanOrEqual(1);
  });

  it('drops a token revoked on another instance as soon as the notification arrives', async () => {
    const team = await a.createTeam();
    expect((await a.gql(VIEWER, {}, team.memberToken)).errors).toBeUndefined(); // now cached on A
    statements.length = 0;
    expect((await a.gql(VIEWER, {}, team.memberToken)).errors).toBeUndefined();
    expect(tokenQueries().filter((q) => /^select/i.test(q))).toEqual([]); // served from the cache

    const revokedAt = Date.now();
    expect(await revokeToken(b.database.db, team.memberToken)).toBe(true);
    let res = await a.gql(VIEWER, {}, team.memberToken);
    while (res.status !== 401 && Date.now() - revokedAt < 5_000) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      res = await a.gql(VIEWER, {}, team.memberToken);
    }
    expect(res.status).toBe(401);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // The member's colleague, with another token, is unaffected.
    expect((await a.gql(VIEWER, {}, team.adminToken)).errors).toBeUndefined();
  });

  it('never serves a revoked token again once a request was refused, even under concurrent load', async () => {
    const team = await a.createTeam();
    expect((await a.gql(VIEWER, {}, team.memberToken)).errors).toBeUndefined();
    let stop = false;
    const outcomes: number[] = [];
    // Concurrent lookups in flight while the revocation lands must not refill the cache after it.
    const load = Array.from({ length: 4 }, async () => {
      while (!stop) outcomes.push((await a.gql(VIEWER, {}, team.memberToken)).status);
    });
    // The load is under way (some requests answered) before the revocation, however slow the machine.
    while (outcomes.length < 4) await new Promise((resolve) => setTimeout(resolve, 10));
    await revokeToken(b.database.db, team.memberToken);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    stop = true;
    await Promise.all(load);
    const firstRefusal = outcomes.indexOf(401);
    expect(firstRefusal).toBeGreaterThan(0);
    // A 401 means the cache entry is gone. At most the other three loops' requests were already in
    // flight then (and may still succeed); every request after those is refused.
    const settled = outcomes.slice(firstRefusal + 3);
    expect(settled.length).toBeGreaterThan(0);
    expect(settled.every((status) => status === 401)).toBe(true);
  });
});
