// The error boundary over real HTTP: unexpected failures are masked (code, generic message, request
// id) and logged in full; request errors keep their own status and code; bodies are always JSON.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, TestServer } from '../helpers/server.js';
import { connectWs, executeWs } from '../helpers/ws.js';

/** SQL matching this pattern fails with SECRET_DETAIL before it reaches the database. */
let failing: RegExp | null = null;
const SECRET_DETAIL = 'simulated failure: relation secret_internal_table is on fire';

let t: TestServer;
beforeAll(async () => {
  const database = await openTestDatabase({
    onQuery: (query) => {
      if (failing?.test(query)) throw new Error(SECRET_DETAIL);
    },
  });
  t = await TestServer.start({ database, env: { BODY_LIMIT: '1kb' } });
});
afterAll(async () => {
  await t?.stop();
  await t?.database.close();
});

async function failingQueries<T>(pattern: RegExp, fn: () => PromiseLike<T>): Promise<T> {
  failing = pattern;
  try {
    return await fn();
  } finally {
    failing = null;
  }
}

function expectNoLeak(text: string): void {
  expect(text).not.toContain('simulated failure');
  expect(text).not.toContain('secret_internal_table');
  expect(text).not.toMatch(/stacktrace|\bat .+\.[jt]s:\d+/i);
}

describe('unexpected errors', () => {
  it('mask a failing resolver as INTERNAL_SERVER_ERROR with a request id, and log the detail', async () => {
    const team = await t.createTeam();
    // Authentication reads api_tokens (the viewer's user and team come with it); only the campaigns
    // page reads campaigns.
    const res = await failingQueries(/^select .* from "campaigns" where /i, () =>
      t
        .http()
        .post('/graphql')
        .set('authorization', `Bearer ${team.adminToken}`)
        .send({ query: '{ viewer { user { email } } campaigns(first: 1) { edges { node { id } } } }' }),
    );
    expect(res.status).toBe(200); // a partial result: the viewer resolved, the campaigns did not
    expect(res.body.data).toBeNull(); // campaigns is non-null, so the null bubbles up to data
    const [error] = res.body.errors;
    const requestId = String(res.headers['x-request-id']);
    expect(error.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId });
    expect(error.message).toBe(`Internal server error. Quote request id ${requestId} when reporting it.`);
    expect(error.path).toEqual(['campaigns']);
    expectNoLeak(res.text);

    const logged = t.logs.filter((line) => line.includes(requestId));
    expect(logged.join('\n')).toContain(SECRET_DETAIL);
    expect(logged.join('\n')).toContain('"level":50');
  });

  it('mask a failure while authenticating as INTERNAL_SERVER_ERROR, and log the detail', async () => {
    const team = await t.createTeam();
    const res = await failingQueries(/from "api_tokens"/i, () =>
      t
        .http()
        .post('/graphql')
        .set('authorization', `Bearer ${team.adminToken}`)
        .send({ query: '{ viewer { user { email } } }' }),
    );
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toMatch(/json/);
    const [error] = res.body.errors;
    const requestId = String(res.headers['x-request-id']);
    expect(error.extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(error.message).toContain(requestId);
    expectNoLeak(res.text);
    expect(t.logs.some((line) => line.includes(requestId) && line.includes(SECRET_DETAIL))).toBe(true);
  });
  it('are masked the same way over WebSocket', async () => {
    const team = await t.createTeam();
    const outcome = await connectWs(t.wsUrl, { authorization: `Bearer ${team.adminToken}` });
    if (outcome.kind !== 'acknowledged') throw new Error(`closed with ${outcome.code}`);
    try {
      const result = await failingQueries(/^select .* from "campaigns" where /i, () =>
        executeWs(outcome.client, '{ campaigns(first: 1) { edges { node { id } } } }'),
      );
      const [error] = result.errors ?? [];
      expect(error?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      const requestId = String(error?.extensions?.requestId);
      expect(error?.message).toBe(`Internal server error. Quote request id ${requestId} when reporting it.`);
      expectNoLeak(JSON.stringify(result));
      expect(t.logs.some((line) => line.includes(requestId) && line.includes(SECRET_DETAIL))).toBe(true);
    } finally {
      await outcome.client.dispose();
    }
  });
});

describe('request errors', () => {
  it('answer a syntax error with 400 and GRAPHQL_PARSE_FAILED, not 500', async () => {
    const res = await t.http().post('/graphql').send({ query: '{ viewer { ' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(res.body.errors[0].message).toMatch(/Syntax Error/);
  });

  it('word depth and alias refusals as limits, not as syntax errors', async () => {
    const team = await t.createTeam();
    const cycle = 'contacts(first: 1) { edges { node { campaign { ';
    const deep = `{ campaigns(first: 1) { edges { node { ${cycle.repeat(3)}id${' } } } }'.repeat(3)} } } } }`;
    const depth = await t.gql(deep, {}, team.adminToken);
    expect(depth.errors).toHaveLength(1);
    expect(depth.errors?.[0]?.message).toMatch(/^Query depth limit of 12 exceeded, found \d+\.$/);
    expect(depth.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: viewer { team { id } }`).join(' ');
    const aliased = await t.gql(`{ ${aliases} }`, {}, team.adminToken);
    expect(aliased.errors).toHaveLength(1);
    expect(aliased.errors?.[0]?.message).toMatch(/^Aliases limit of \d+ exceeded, found \d+\.$/);
    expect(JSON.stringify([depth.body, aliased.body])).not.toContain('Syntax Error');
  });

  it('word a depth refusal over WebSocket as a limit, not as a syntax error', async () => {
    const team = await t.createTeam();
    const cycle = 'contacts(first: 1) { edges { node { campaign { ';
    const deep = `{ campaigns(first: 1) { edges { node { ${cycle.repeat(3)}id${' } } } }'.repeat(3)} } } } }`;
    const ws = await connectWs(t.wsUrl, { authorization: `Bearer ${team.adminToken}` });
    if (ws.kind !== 'acknowledged') throw new Error(`connection closed with ${ws.code}`);
    try {
      const refused = await executeWs(ws.client, deep).then(
        () => null,
        (errors: unknown) => errors as { message: string }[],
      );
      expect(refused?.[0]?.message).toMatch(/^Query depth limit of 12 exceeded, found \d+\.$/);
      expect(JSON.stringify(refused)).not.toContain('Syntax Error');
    } finally {
      await ws.client.dispose();
    }
  });

  it('answer an unknown field with 400 and GRAPHQL_VALIDATION_FAILED', async () => {
    const team = await t.createTeam();
    const res = await t.gql('{ viewer { nope } }', {}, team.adminToken);
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('answer a body over BODY_LIMIT with 413 and a JSON error', async () => {
    const res = await t
      .http()
      .post('/graphql')
      .send({ query: `{ viewer { user { email } } } # ${'x'.repeat(2048)}` });
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(/json/);
    expect(res.body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    expect(res.body.errors[0].message).toContain('1kb');
  });

  it('answer malformed JSON with 400 and a JSON error, without echoing parser internals', async () => {
    const res = await t
      .http()
      .post('/graphql')
      .set('content-type', 'application/json')
      .send('{"query": "{ viewer { id } }",');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/json/);
    expect(res.body.errors[0]).toEqual({
      message: 'Malformed request body: expected JSON.',
      extensions: { code: 'BAD_REQUEST' },
    });
    expectNoLeak(res.text);
  });
});

describe('request ids', () => {
  it('are generated for every GraphQL request and returned in x-request-id', async () => {
    const a = await t.http().post('/graphql').send({ query: '{ __typename }' });
    const b = await t.http().post('/graphql').send({ query: '{ __typename }' });
    expect(a.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.headers['x-request-id']).not.toBe(a.headers['x-request-id']);
  });

  it('keep a well-formed incoming x-request-id and replace a malformed one', async () => {
    const kept = await t
      .http()
      .post('/graphql')
      .set('x-request-id', 'edge-1234.abc')
      .send({ query: '{ __typename }' });
    expect(kept.headers['x-request-id']).toBe('edge-1234.abc');
    const replaced = await t
      .http()
      .post('/graphql')
      .set('x-request-id', 'bad id <script>')
      .send({ query: '{ __typename }' });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
