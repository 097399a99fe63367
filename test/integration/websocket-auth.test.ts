// WebSocket (graphql-transport-ws on /graphql): the token travels in connectionParams and is checked
// once, at connection init; a connection without a valid token never gets an ack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeToken } from '../../src/app/tokens.js';
import { TestServer } from '../helpers/server.js';
import { connectWs, executeWs } from '../helpers/ws.js';

let t: TestServer;
beforeAll(async () => {
  t = await TestServer.start();
});
afterAll(async () => {
  await t?.stop();
});

const FORBIDDEN_CLOSE = 4403;

describe('WebSocket authentication', () => {
  it('acknowledges a connection with a valid token and answers viewer over it', async () => {
    const team = await t.createTeam('Socket team');
    const outcome = await connectWs(t.wsUrl, { authorization: `Bearer ${team.adminToken}` });
    expect(outcome.kind).toBe('acknowledged');
    if (outcome.kind !== 'acknowledged') return;
    try {
      const result = await executeWs<{ viewer: { user: { email: string }; team: { name: string } } }>(
        outcome.client,
        '{ viewer { user { email } team { name } } }',
      );
      expect(result.errors).toBeUndefined();
      expect(result.data?.viewer.user.email).toMatch(/^admin-.*@example\.com$/);
      expect(result.data?.viewer.team.name).toBe('Socket team');
    } finally {
      await outcome.client.dispose();
    }
  });

  it('serves each connection as its own token’s user', async () => {
    const team = await t.createTeam();
    const outcome = await connectWs(t.wsUrl, { authorization: `Bearer ${team.memberToken}` });
    if (outcome.kind !== 'acknowledged') throw new Error(`closed with ${outcome.code}`);
    try {
      const result = await executeWs<{ viewer: { user: { email: string; role: string } } }>(
        outcome.client,
        '{ viewer { user { email role } } }',
      );
      expect(result.data?.viewer.user.role).toBe('MEMBER');
      expect(result.data?.viewer.user.email).toMatch(/^member-/);
    } finally {
      await outcome.client.dispose();
    }
  });

  it('closes a connection without a token at connection init with 4403', async () => {
    const outcome = await connectWs(t.wsUrl, {});
    expect(outcome).toMatchObject({ kind: 'closed', code: FORBIDDEN_CLOSE });
  });

  it('closes a connection with an unknown token with 4403', async () => {
    const outcome = await connectWs(t.wsUrl, { authorization: 'Bearer ppb_not-a-real-token' });
    expect(outcome).toMatchObject({ kind: 'closed', code: FORBIDDEN_CLOSE });
  });

  it('closes a connection whose authorization is not a bearer token with 4403', async () => {
    const team = await t.createTeam();
    const outcome = await connectWs(t.wsUrl, { authorization: team.adminToken });
    expect(outcome).toMatchObject({ kind: 'closed', code: FORBIDDEN_CLOSE });
  });

  it('closes a connection with a revoked token with 4403', async () => {
    const team = await t.createTeam();
    const before = await connectWs(t.wsUrl, { authorization: `Bearer ${team.memberToken}` });
    expect(before.kind).toBe('acknowledged');
    if (before.kind === 'acknowledged') await before.client.dispose();

    const revokedAt = Date.now();
    expect(await revokeToken(t.database.db, team.memberToken)).toBe(true);
    // The cached viewer goes when the revocation's notification arrives (auth-cache.test.ts): on
    // PostgreSQL that can be a moment after the commit, so a connection may still get in until then.
    let after = await connectWs(t.wsUrl, { authorization: `Bearer ${team.memberToken}` });
    while (after.kind === 'acknowledged' && Date.now() - revokedAt < 5_000) {
      await after.client.dispose();
      await new Promise((resolve) => setTimeout(resolve, 10));
      after = await connectWs(t.wsUrl, { authorization: `Bearer ${team.memberToken}` });
    }
    expect(after).toMatchObject({ kind: 'closed', code: FORBIDDEN_CLOSE });
  });

  it('refuses a WebSocket upgrade on any other path, even with a valid token', async () => {
    const team = await t.createTeam();
    const outcome = await connectWs(t.wsUrl.replace(/\/graphql$/, '/other'), {
      authorization: `Bearer ${team.adminToken}`,
    });
    // The socket is destroyed before the handshake: an abnormal close (1006), never an ack.
    expect(outcome).toMatchObject({ kind: 'closed', code: 1006 });
  });
});
