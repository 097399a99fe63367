import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { globalId, openTestDatabase, TestServer, type TestTeam } from '../helpers/server.js';

// Input that once answered INTERNAL_SERVER_ERROR (issue 11, item 4) now answers a typed error.
let t: TestServer;
let team: TestTeam;
let statements = 0;
beforeAll(async () => {
  const database = await openTestDatabase({ onQuery: () => void statements++ });
  t = await TestServer.start({ database });
  team = await t.createTeam('Input');
});
afterAll(async () => {
  await t?.stop();
  await t?.database.close();
});

const CREATE = `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { __typename } }`;

describe('unstorable strings', () => {
  it.each([
    ['a NUL byte', 'a\u0000b'],
    ['a lone high surrogate', 'x\uD800'],
    ['a lone low surrogate', '\uDC00y'],
  ])('refuses %s in a variable with BAD_USER_INPUT naming its path, before any SQL', async (_l, name) => {
    await t.gql('{ __typename }', {}, team.adminToken); // the first use of a token also records it
    statements = 0;
    await t.gql('{ __typename }', {}, team.adminToken);
    const baseline = statements;
    statements = 0;
    const res = await t.gql(
      CREATE,
      { input: { name, channel: 'EMAIL', syncAs: 'APPLICATION' } },
      team.adminToken,
    );
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argumentPath: '$input.name',
    });
    expect(statements).toBe(baseline);
  });

  it('names the path of a string nested in a list of input objects, and of a literal', async () => {
    const res = await t.gql(
      'mutation($c: [ContactInput!]!) { addContactsToCampaign(campaignId: "x", contacts: $c) { __typename } }',
      { c: [{ email: 'ok@example.com' }, { email: 'b\u0000@example.com' }] },
      team.adminToken,
    );
    expect(res.errors?.[0]?.extensions?.argumentPath).toBe('$c.1.email');
    const literal = await t.gql(
      'mutation { createCampaign(input: { name: "a\\u0000", channel: EMAIL, syncAs: APPLICATION }) { __typename } }',
      {},
      team.adminToken,
    );
    expect(literal.errors?.[0]?.extensions?.argumentPath).toBe('createCampaign(input.name)');
  });

  it('accepts a well-formed surrogate pair (an emoji)', async () => {
    const res = await t.gql(
      CREATE,
      { input: { name: 'Launch 🚀', channel: 'EMAIL', syncAs: 'APPLICATION' } },
      team.adminToken,
    );
    expect(res.errors).toBeUndefined();
  });
});

describe('ids, cursors and request limits', () => {
  it.each([
    ['Admin:x', 'QWRtaW46eA=='],
    ['__proto__:x', globalId('__proto__', 'x')],
    ['constructor:x', globalId('constructor', 'x')],
    ['PageInfo:x', globalId('PageInfo', 'x')],
  ])('answers node(%s) with null, with or without an x-request-id', async (_l, id) => {
    const res = await t.gql('query($id: ID!) { node(id: $id) { id } }', { id }, team.memberToken);
    expect(res.body).toMatchObject({ data: { node: null } });
    expect(res.errors).toBeUndefined();
    const tagged = await t
      .http()
      .post('/graphql')
      .set('authorization', `Bearer ${team.memberToken}`)
      .set('x-request-id', 'req-123')
      .send({ query: 'query($id: ID!) { node(id: $id) { id } }', variables: { id } });
    expect(tagged.body.data).toEqual({ node: null });
  });

  it('refuses a cursor holding an impossible timestamp with BAD_USER_INPUT', async () => {
    for (const at of ['2026-13-01 00:00:00+00', '2026-02-30 00:00:00+00', '2026-01-01 24:00:00+00']) {
      const after = Buffer.from(`${at}|00000000-0000-0000-0000-000000000000`).toString('base64url');
      const res = await t.gql(
        'query($a: String) { campaigns(first: 1, after: $a) { totalCount } }',
        { a: after },
        team.memberToken,
      );
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it("answers graphql-js's own limit on a 10,000-item bad list as BAD_USER_INPUT", async () => {
    const res = await t.gql(
      'mutation($c: [ContactInput!]!) { addContactsToCampaign(campaignId: "x", contacts: $c) { __typename } }',
      { c: Array.from({ length: 10_000 }, () => ({ bogus: 1 })) },
      team.adminToken,
    );
    expect(res.status).toBe(400);
    const codes = new Set(res.errors?.map((e) => e.extensions?.code));
    expect([...codes]).toEqual(['BAD_USER_INPUT']);
  });

  it('keeps APQ codes and answers a mismatched hash as BAD_REQUEST', async () => {
    const post = (body: object) =>
      t.http().post('/graphql').set('authorization', `Bearer ${team.memberToken}`).send(body);
    const unknown = await post({
      extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } },
    });
    expect(unknown.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const query = '{ __typename }';
    const mismatch = await post({
      query,
      extensions: { persistedQuery: { version: 1, sha256Hash: 'b'.repeat(64) } },
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const ok = await post({ query, extensions: { persistedQuery: { version: 1, sha256Hash } } });
    expect(ok.body.data).toEqual({ __typename: 'Query' });
  });

  it('refuses a subscription over HTTP with BAD_REQUEST', async () => {
    const res = await t.gql('subscription { syncEvents { __typename } }', {}, team.memberToken);
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
  });

  it('logs no unexpected error for any of the above', () => {
    expect(t.logs.join('\n')).not.toContain('unexpected error');
  });
});

describe('error logs', () => {
  it('carry the statement and the parameter count, never the parameters', () => {
    const lines: string[] = [];
    const log = createLogger('info', new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
    const cause = Object.assign(new Error('duplicate key value'), {
      parameters: ['person@example.com', 'tokenhash'],
      detail: 'Key (email)=(person@example.com) already exists.',
    });
    const err = Object.assign(
      new Error('Failed query: insert into contacts values ($1, $2)\nparams: person@example.com,tokenhash'),
      { query: 'insert into contacts values ($1, $2)', params: ['person@example.com', 'tokenhash'], cause },
    );
    log.error({ err }, 'failed');
    const line = JSON.parse(lines[0] as string);
    expect(lines[0]).not.toContain('person@example.com');
    expect(lines[0]).not.toContain('tokenhash');
    expect(line.err).toMatchObject({ query: 'insert into contacts values ($1, $2)', parameterCount: 2 });
  });
});
