import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeToken } from '../../src/app/tokens.js';
import { globalId, TestServer } from '../helpers/server.js';

let t: TestServer;
beforeAll(async () => {
  t = await TestServer.start();
});
afterAll(async () => {
  await t?.stop();
});

const VIEWER = '{ viewer { user { id email role } team { id name } } }';

describe('authentication over HTTP', () => {
  it('answers viewer with the token owner and their team', async () => {
    const team = await t.createTeam('Acme recruiting');
    const res = await t.gql<{
      viewer: { user: { email: string; role: string; id: string }; team: { name: string; id: string } };
    }>(VIEWER, {}, team.adminToken);
    expect(res.errors).toBeUndefined();
    expect(res.data?.viewer.team.name).toBe('Acme recruiting');
    expect(res.data?.viewer.user.role).toBe('ADMIN');
    expect(res.data?.viewer.user.id).toBe(globalId('User', team.adminId));
    expect(res.data?.viewer.team.id).toBe(globalId('Team', team.teamId));
  });

  it('refuses a request without a token with UNAUTHENTICATED', async () => {
    const res = await t.gql(VIEWER);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(res.data).toBeNull();
  });

  it('refuses an unknown token with UNAUTHENTICATED and HTTP 401', async () => {
    const res = await t.gql(VIEWER, {}, 'ppb_not-a-real-token');
    expect(res.status).toBe(401);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a malformed Authorization header with UNAUTHENTICATED', async () => {
    const res = await t.http().post('/graphql').set('authorization', 'Basic abc').send({ query: VIEWER });
    expect(res.status).toBe(401);
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a revoked token with UNAUTHENTICATED', async () => {
    const team = await t.createTeam();
    expect((await t.gql(VIEWER, {}, team.memberToken)).errors).toBeUndefined();
    expect(await revokeToken(t.database.db, team.memberToken)).toBe(true);
    const res = await t.gql(VIEWER, {}, team.memberToken);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // The admin's token is untouched.
    expect((await t.gql(VIEWER, {}, team.adminToken)).errors).toBeUndefined();
  });

  it('lets a member read viewer with the MEMBER role', async () => {
    const team = await t.createTeam();
    const res = await t.gql<{ viewer: { user: { role: string } } }>(VIEWER, {}, team.memberToken);
    expect(res.data?.viewer.user.role).toBe('MEMBER');
  });
});

describe('node(id)', () => {
  it('refetches the viewer’s own team and user', async () => {
    const team = await t.createTeam('Node team');
    const res = await t.gql<{ a: { name: string }; b: { email: string } }>(
      'query($a: ID!, $b: ID!) { a: node(id: $a) { ... on Team { name } } b: node(id: $b) { ... on User { email } } }',
      { a: globalId('Team', team.teamId), b: globalId('User', team.memberId) },
      team.adminToken,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.a.name).toBe('Node team');
    expect(res.data?.b.email).toMatch(/^member-/);
  });

  it('answers null for another team’s objects, exactly as for ids that do not exist', async () => {
    const mine = await t.createTeam();
    const other = await t.createTeam();
    const ids = [
      globalId('Team', other.teamId),
      globalId('User', other.adminId),
      globalId('User', '00000000-0000-4000-8000-000000000000'),
      globalId('User', 'not-a-uuid'),
    ];
    for (const id of ids) {
      const res = await t.gql<{ node: unknown }>(
        'query($id: ID!) { node(id: $id) { id } }',
        { id },
        mine.adminToken,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data?.node).toBeNull();
    }
  });

  it('requires a token', async () => {
    const team = await t.createTeam();
    const res = await t.gql('query($id: ID!) { node(id: $id) { id } }', {
      id: globalId('Team', team.teamId),
    });
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
