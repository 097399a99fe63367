// Per-token rate limits (in each instance's memory): every HTTP request and WebSocket operation costs
// 1; RateLimit-* headers and the `rateLimit` field show the budget; over it, 429 with Retry-After and
// RATE_LIMITED (retryable) until the window resets. Other tokens, even of the same team, are unaffected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestServer as Server, TestServer, type TestTeam } from '../helpers/server.js';
import { connectWs, executeWs } from '../helpers/ws.js';

const RATE = '{ rateLimit { limit cost used remaining resetAt } }';
let t: Server;
let short: Server; // a one-second window
let team: TestTeam;

beforeAll(async () => {
  const database = await openTestDatabase();
  t = await TestServer.start({ database, env: { RATE_LIMIT_REQUESTS: '5', RATE_LIMIT_WINDOW_MS: '60000' } });
  short = await TestServer.start({
    database,
    env: { RATE_LIMIT_REQUESTS: '2', RATE_LIMIT_WINDOW_MS: '1000' },
  });
  team = await t.createTeam();
});
afterAll(async () => {
  await short?.stop();
  await t?.stop();
  await t?.database.close();
});

async function ask(server: Server, token: string | null, query = RATE) {
  const req = server.http().post('/graphql').set('content-type', 'application/json');
  if (token) req.set('authorization', `Bearer ${token}`);
  return req.send({ query });
}

describe('per-token rate limits over HTTP', () => {
  it('counts each request in the headers and the rateLimit field, and refuses the one over the limit', async () => {
    const first = await ask(t, team.memberToken);
    expect(first.status).toBe(200);
    expect(first.headers['ratelimit-limit']).toBe('5');
    expect(first.headers['ratelimit-remaining']).toBe('4');
    const reset = Number(first.headers['ratelimit-reset']);
    expect(reset).toBeGreaterThanOrEqual(1);
    expect(reset).toBeLessThanOrEqual(60);
    const status = first.body.data.rateLimit;
    expect(status).toMatchObject({ limit: 5, cost: 1, used: 1, remaining: 4 });
    const resetAt = Date.parse(status.resetAt);
    expect(resetAt - Date.now()).toBeGreaterThan(0);
    expect(resetAt - Date.now()).toBeLessThanOrEqual(60_000);

    const second = await ask(t, team.memberToken);
    expect(second.body.data.rateLimit).toMatchObject({ used: 2, remaining: 3, resetAt: status.resetAt });
    for (let i = 3; i <= 5; i++) {
      const res = await ask(t, team.memberToken, '{ viewer { user { id } } }');
      expect(res.status).toBe(200);
      expect(res.headers['ratelimit-remaining']).toBe(String(5 - i));
    }

    const refused = await ask(t, team.memberToken);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers['ratelimit-remaining']).toBe('0');
    expect(refused.body.data).toBeUndefined();
    expect(refused.body.errors).toEqual([
      {
        message: expect.stringMatching(/Rate limit of 5 requests .* Retry after \d+ s/),
        extensions: { code: 'RATE_LIMITED', retryable: true, retryAfter },
      },
    ]);
  });

  it('keeps a separate budget for every token, even of the same team', async () => {
    const res = await ask(t, team.adminToken);
    expect(res.status).toBe(200);
    expect(res.body.data.rateLimit).toMatchObject({ used: 1, remaining: 4 });
  });

  it('answers null and sends no headers for an anonymous caller', async () => {
    const res = await ask(t, null);
    expect(res.status).toBe(200);
    expect(res.body.data.rateLimit).toBeNull();
    expect(res.headers['ratelimit-limit']).toBeUndefined();
  });

  it('gives the budget back when the window ends', async () => {
    const other = await short.createTeam();
    expect((await ask(short, other.memberToken)).status).toBe(200);
    expect((await ask(short, other.memberToken)).status).toBe(200);
    const refused = await ask(short, other.memberToken);
    expect(refused.status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const again = await ask(short, other.memberToken);
    expect(again.status).toBe(200);
    expect(again.body.data.rateLimit).toMatchObject({ limit: 2, used: 1, remaining: 1 });
  });
});

describe('per-token rate limits over WebSocket', () => {
  it('charges every operation and refuses the one over the limit with RATE_LIMITED', async () => {
    const fresh = await t.createTeam();
    const outcome = await connectWs(t.wsUrl, { authorization: `Bearer ${fresh.memberToken}` });
    if (outcome.kind !== 'acknowledged') throw new Error(`closed with ${outcome.code}`);
    try {
      for (let used = 1; used <= 5; used++) {
        const result = await executeWs<{ rateLimit: { used: number; remaining: number } }>(
          outcome.client,
          RATE,
        );
        expect(result.data?.rateLimit).toMatchObject({ used, remaining: 5 - used });
      }
      const refused = await executeWs(outcome.client, RATE).then(
        () => null,
        (errors: unknown) => errors,
      );
      expect(refused).toEqual([
        expect.objectContaining({
          extensions: expect.objectContaining({ code: 'RATE_LIMITED', retryable: true }),
        }),
      ]);
    } finally {
      await outcome.client.dispose();
    }
  });
});
