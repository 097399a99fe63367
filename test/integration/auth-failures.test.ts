// Failed authentications cost little and are throttled: a wrong token is looked up once (then
// remembered as unknown until a token is issued anywhere), an address over its failure limit gets 429
// with Retry-After (HTTP) or 4429 (WebSocket) without touching the database, a valid token's own
// successes never count, and one warn line per interval reports the counts without tokens or hashes.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToken, hashToken } from '../../src/app/tokens.js';
import { apiTokensTable } from '../../src/db/schema.js';
import { openTestDatabase, TestServer, usingPostgres } from '../helpers/server.js';
import { connectWs } from '../helpers/ws.js';

const VIEWER = '{ viewer { user { id } } }';
const ORIGIN = 'https://app.example.com';
const statements: string[] = [];
let lookupsFail = false; // token lookups fail as if the database were unreachable
let a: TestServer; // behind one trusted proxy: each test is its own client address (X-Forwarded-For)
let b: TestServer; // no proxy trusted: the socket's peer is the client, X-Forwarded-For is ignored

beforeAll(async () => {
  const database = await openTestDatabase({
    onQuery: (query) => {
      statements.push(query);
      if (lookupsFail && /from "api_tokens" inner join "users"/.test(query))
        throw new Error('simulated outage');
    },
  });
  a = await TestServer.start({
    database,
    env: {
      AUTH_FAILURE_LIMIT: '5',
      TRUST_PROXY_HOPS: '1',
      AUTH_NEGATIVE_CACHE_TTL_MS: '60000',
      CORS_ORIGINS: ORIGIN,
    },
  });
  b = await TestServer.start({
    database: usingPostgres ? await openTestDatabase() : database,
    env: { AUTH_FAILURE_LIMIT: '3', AUTH_FAILURE_LOG_INTERVAL_MS: '2000' },
  });
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
  if (usingPostgres) await b?.database.close();
  await a?.database.close();
});

const wrongToken = () => `ppb_${randomBytes(32).toString('base64url')}`;

async function ask(server: TestServer, token: string, address?: string) {
  const req = server.http().post('/graphql').set('content-type', 'application/json');
  req.set('authorization', `Bearer ${token}`);
  if (address) req.set('x-forwarded-for', address);
  return req.send({ query: VIEWER });
}

/** Authentications (token joined to its user), not the index's reads of a newly issued token's hash. */
function tokenLookups(): string[] {
  return statements.filter((q) => /^select/i.test(q) && /from "api_tokens" inner join "users"/.test(q));
}

describe('the negative cache', () => {
  it('looks a wrong token up in the database once, however often it is sent', async () => {
    const token = wrongToken();
    statements.length = 0;
    for (let i = 0; i < 5; i++) expect((await ask(a, token, '10.0.1.1')).status).toBe(401);
    expect(tokenLookups()).toHaveLength(1);
  });

  it('forgets unknown tokens as soon as a token is issued on any instance', async () => {
    const token = wrongToken();
    expect((await ask(a, token, '10.0.2.1')).status).toBe(401);
    statements.length = 0;
    expect((await ask(a, token, '10.0.2.2')).status).toBe(401);
    expect(tokenLookups()).toEqual([]); // remembered as unknown (TTL: a minute)

    await b.createTeam(); // issues two tokens through b's connection: NOTIFY bff_token_issued on commit
    const issuedAt = Date.now();
    let looked = 0;
    for (let i = 3; looked === 0 && Date.now() - issuedAt < 5_000; i++) {
      statements.length = 0;
      expect((await ask(a, token, `10.0.2.${i}`)).status).toBe(401);
      looked = tokenLookups().length;
    }
    expect(looked).toBe(1); // the database was asked again: the new token would have been found
  });

  it('lets a token issued after unknown ones were remembered work at once', async () => {
    for (let i = 0; i < 3; i++) await ask(a, wrongToken(), '10.0.3.1');
    const team = await b.createTeam();
    const res = await ask(a, team.memberToken, '10.0.3.2');
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
  });
});

describe('the per-address throttle', () => {
  it('answers 429 with Retry-After after the limit, without a database lookup', async () => {
    for (let i = 0; i < 5; i++) expect((await ask(a, wrongToken(), '10.0.4.1')).status).toBe(401);
    statements.length = 0;
    const res = await ask(a, wrongToken(), '10.0.4.1');
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(res.body.errors[0].extensions).toEqual({ code: 'RATE_LIMITED', retryable: true, retryAfter });
    expect(res.body.errors[0].message).toMatch(/Retry after \d+ s/);
    expect(tokenLookups()).toEqual([]);
    // Another address is unaffected.
    expect((await ask(a, wrongToken(), '10.0.4.2')).status).toBe(401);
  });

  it('still serves a token known valid from a throttled address, and one never used before', async () => {
    const team = await a.createTeam();
    expect((await ask(a, team.memberToken, '10.0.5.9')).status).toBe(200); // now cached as valid
    for (let i = 0; i < 6; i++) await ask(a, wrongToken(), '10.0.5.1');
    expect((await ask(a, wrongToken(), '10.0.5.1')).status).toBe(429);
    const res = await ask(a, team.memberToken, '10.0.5.1');
    expect(res.status).toBe(200);
    expect(res.body.data.viewer.user.id).toBeTruthy();
    // Never sent before (not cached): known to exist (issued on this database, NOTIFY), so it is
    // looked up once, then served from the cache.
    statements.length = 0;
    const fresh = await ask(a, team.adminToken, '10.0.5.1');
    expect(fresh.status).toBe(200);
    expect(fresh.body.data.viewer.user.id).toBeTruthy();
    expect((await ask(a, team.adminToken, '10.0.5.1')).status).toBe(200);
    expect(tokenLookups()).toHaveLength(1);
    expect((await ask(a, wrongToken(), '10.0.5.1')).status).toBe(429); // still throttled for the rest
  });

  it("does not count a valid token's own successes", async () => {
    const team = await a.createTeam();
    for (let i = 0; i < 30; i++) expect((await ask(a, team.memberToken, '10.0.6.1')).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await ask(a, wrongToken(), '10.0.6.1')).status).toBe(401);
    expect((await ask(a, wrongToken(), '10.0.6.1')).status).toBe(429);
  });
});

describe('behind a shared NAT or proxy', () => {
  it('serves a token that existed before the server started from a throttled address', async () => {
    const team = await a.createTeam();
    const c = await TestServer.start({
      database: a.database,
      env: { AUTH_FAILURE_LIMIT: '2', TRUST_PROXY_HOPS: '1' },
    });
    try {
      for (let i = 0; i < 3; i++) await ask(c, wrongToken(), '10.0.7.1');
      expect((await ask(c, wrongToken(), '10.0.7.1')).status).toBe(429);
      const res = await ask(c, team.memberToken, '10.0.7.1');
      expect(res.status).toBe(200);
      expect(res.body.data.viewer.user.id).toBeTruthy();
    } finally {
      await c.stop();
    }
  });

  it('lets a flood of made-up tokens from one address reach the database at most its budget', async () => {
    statements.length = 0;
    const answers = await Promise.all(Array.from({ length: 60 }, () => ask(a, wrongToken(), '10.0.8.1')));
    expect(tokenLookups().length).toBeLessThanOrEqual(5); // AUTH_FAILURE_LIMIT
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(tokenLookups().length);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(55);
    const refused = answers.find((r) => r.status === 429)!;
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.headers['x-request-id']).toBeTruthy();
    expect(refused.body.errors[0].extensions.code).toBe('RATE_LIMITED');
  });

  it('counts IPv6 clients per /64', async () => {
    for (let i = 1; i <= 5; i++) {
      expect((await ask(a, wrongToken(), `2001:db8:7:1::${i}`)).status).toBe(401);
    }
    expect((await ask(a, wrongToken(), '2001:db8:7:1:ffff:ffff:ffff:9')).status).toBe(429);
    expect((await ask(a, wrongToken(), '2001:db8:7:2::1')).status).toBe(401); // the next /64
    expect((await ask(a, wrongToken(), '10.0.9.1')).status).toBe(401);
  });

  it('looks a token this instance has not heard of up only within the address budget', async () => {
    // Written without the notification, as if issued while this instance's LISTEN was down.
    const team = await a.createTeam();
    const unheard = async () => {
      const { token, hash, prefix } = generateToken();
      await a.database.db
        .insert(apiTokensTable)
        .values({ teamId: team.teamId, userId: team.adminId, tokenHash: hash, prefix });
      return token;
    };
    expect((await ask(a, await unheard(), '10.0.10.1')).status).toBe(200);
    for (let i = 0; i < 5; i++) await ask(a, wrongToken(), '10.0.10.2');
    expect((await ask(a, await unheard(), '10.0.10.2')).status).toBe(429);
  });

  it('does not charge an address for lookups the database failed', async () => {
    lookupsFail = true;
    try {
      for (let i = 0; i < 8; i++) {
        const res = await ask(a, wrongToken(), '10.0.12.1');
        expect(res.status).not.toBe(429);
        expect(res.body.errors[0].extensions.code).not.toBe('RATE_LIMITED');
      }
    } finally {
      lookupsFail = false;
    }
    for (let i = 0; i < 5; i++) expect((await ask(a, wrongToken(), '10.0.12.1')).status).toBe(401);
    expect((await ask(a, wrongToken(), '10.0.12.1')).status).toBe(429);
  });

  it('refuses a browser from a throttled address with CORS headers, so its script can read the 429', async () => {
    for (let i = 0; i < 5; i++) await ask(a, wrongToken(), '10.0.11.1');
    const res = await a
      .http()
      .post('/graphql')
      .set('content-type', 'application/json')
      .set('origin', ORIGIN)
      .set('authorization', `Bearer ${wrongToken()}`)
      .set('x-forwarded-for', '10.0.11.1')
      .send({ query: VIEWER });
    expect(res.status).toBe(429);
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(res.headers['access-control-expose-headers']).toContain('Retry-After');
  });
});

describe('without a trusted proxy', () => {
  let team: Awaited<ReturnType<TestServer['createTeam']>>;
  const tried: string[] = [];

  it('reports failures in one warn line per interval, with counts and no token or hash', async () => {
    team = await b.createTeam();
    expect((await ask(b, team.adminToken)).status).toBe(200); // cached as valid for the WebSocket test
    b.logs.length = 0;
    tried.push(wrongToken(), wrongToken(), wrongToken());
    const answers = await Promise.all(tried.map((token, i) => ask(b, token, `192.0.2.${i}`)));
    expect(answers.map((r) => r.status)).toEqual([401, 401, 401]);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const lines = failureLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 40,
      failures: 3,
      unknownOrRevoked: 3,
      malformed: 0,
      throttled: 0,
      addresses: 1, // X-Forwarded-For is not believed: one peer, 127.0.0.1
    });
  });

  it('throttles the peer whatever X-Forwarded-For says, over HTTP and at WebSocket connection_init', async () => {
    const res = await ask(b, wrongToken(), '198.51.100.7');
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    const closed = await connectWs(b.wsUrl, { authorization: `Bearer ${wrongToken()}` });
    expect(closed).toMatchObject({ kind: 'closed', code: 4429 });
    expect(closed.kind === 'closed' && closed.reason).toMatch(/Retry after \d+ s/);
    const open = await connectWs(b.wsUrl, { authorization: `Bearer ${team.adminToken}` });
    expect(open.kind).toBe('acknowledged');
    if (open.kind === 'acknowledged') await open.client.dispose();

    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const lines = failureLines();
    expect(lines).toHaveLength(2); // the next interval's line, not one per refusal
    expect(lines[1]).toMatchObject({ failures: 0, throttled: 2 });
    const text = b.logs.join('\n');
    for (const token of tried) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(hashToken(token));
    }
  });

  function failureLines(): Record<string, unknown>[] {
    return b.logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'authentication failures');
  }
});
