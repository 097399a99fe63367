// Browser rules: CORS answers only origins listed in CORS_ORIGINS (preflight and actual request), the
// same list guards WebSocket upgrades that carry an Origin, and x-request-id is kept only when it
// looks like an id.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TestServer } from '../helpers/server.js';

const WEB_APP = 'https://app.example.com';
const EXTENSION = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
const STRANGER = 'https://evil.example.net';

let t: TestServer;
beforeAll(async () => {
  t = await TestServer.start({ env: { CORS_ORIGINS: `${WEB_APP}, ${EXTENSION}` } });
});
afterAll(async () => {
  await t?.stop();
});

function preflight(origin: string) {
  return t
    .http()
    .options('/graphql')
    .set('origin', origin)
    .set('access-control-request-method', 'POST')
    .set('access-control-request-headers', 'authorization,content-type,x-request-id');
}

/** Resolves with the HTTP status of a refused upgrade, or 101 once the socket opens. */
function upgradeStatus(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(t.wsUrl, 'graphql-transport-ws', { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', reject);
  });
}

describe('CORS', () => {
  it.each([WEB_APP, EXTENSION])('answers a preflight from the allowed origin %s', async (origin) => {
    const res = await preflight(origin);
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(origin);
    expect(res.headers.vary).toMatch(/Origin/);
    expect(res.headers['access-control-allow-methods']).toBe('GET,POST,OPTIONS');
    expect(res.headers['access-control-allow-headers']).toBe(
      'authorization,content-type,apollo-require-preflight,x-request-id',
    );
    expect(res.headers['access-control-max-age']).toBe('600');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('gives a preflight from an unlisted origin no Access-Control-Allow-Origin', async () => {
    const res = await preflight(STRANGER);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers.vary).toMatch(/Origin/);
  });

  it('echoes an allowed origin on the actual request and exposes x-request-id', async () => {
    const res = await t
      .http()
      .post('/graphql')
      .set('origin', WEB_APP)
      .set('content-type', 'application/json')
      .send({ query: '{ __typename }' });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(WEB_APP);
    expect(res.headers['access-control-expose-headers']).toBe(
      'x-request-id,RateLimit-Limit,RateLimit-Remaining,RateLimit-Reset,Retry-After',
    );
    expect(res.headers.vary).toMatch(/Origin/);
  });

  it('answers an unlisted origin without CORS headers, so the browser withholds the response', async () => {
    const res = await t
      .http()
      .post('/graphql')
      .set('origin', STRANGER)
      .set('content-type', 'application/json')
      .send({ query: '{ __typename }' });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('WebSocket Origin', () => {
  it('refuses an upgrade from an unlisted origin with 403 before upgrading', async () => {
    expect(await upgradeStatus({ origin: STRANGER })).toBe(403);
  });

  it('upgrades for an allowed origin, for the server itself, and for a client sending no Origin', async () => {
    expect(await upgradeStatus({ origin: EXTENSION })).toBe(101);
    expect(await upgradeStatus({ origin: new URL(t.url).origin })).toBe(101);
    expect(await upgradeStatus({})).toBe(101);
  });
});

describe('x-request-id', () => {
  const idOf = async (value: string) =>
    (await t.http().post('/graphql').set('x-request-id', value).send({ query: '{ __typename }' })).headers[
      'x-request-id'
    ] as string;
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  it('keeps an id of up to 64 characters of letters, digits, dot, underscore and hyphen', async () => {
    expect(await idOf('req_1.A-b')).toBe('req_1.A-b');
    expect(await idOf('x'.repeat(64))).toBe('x'.repeat(64));
  });

  it('replaces anything else with a fresh uuid', async () => {
    for (const bad of ['x'.repeat(65), 'a b', 'id:1', '<script>', 'a/b']) {
      const id = await idOf(bad);
      expect(id).not.toBe(bad);
      expect(id).toMatch(UUID);
    }
  });
});
