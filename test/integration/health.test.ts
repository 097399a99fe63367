// Liveness and readiness probes, and the graceful stop: in-flight requests finish, new ones are refused.
import { connect } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTokensTable } from '../../src/db/schema.js';
import { openTestDatabase, TestServer } from '../helpers/server.js';

let t: TestServer;
beforeAll(async () => {
  t = await TestServer.start();
});
afterAll(async () => {
  await t?.stop();
});

/** Resolves true when a TCP connection to the port is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('health probes', () => {
  it('answers GET /healthz with 200 without touching the database', async () => {
    const res = await t.http().get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('answers GET /readyz with 200 while the database answers', async () => {
    const res = await t.http().get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready' });
  });

  it('answers GET /readyz with 503 once the database is gone, while /healthz stays 200', async () => {
    const database = await openTestDatabase();
    const own = await TestServer.start({ database });
    try {
      expect((await own.http().get('/readyz')).status).toBe(200);
      await database.close();
      const res = await own.http().get('/readyz');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'database unreachable' });
      expect((await own.http().get('/healthz')).status).toBe(200);
    } finally {
      await own.server.stop();
    }
  });
});

describe('graceful stop', () => {
  it('lets a request in flight finish, then refuses new connections', async () => {
    const database = await openTestDatabase();
    const own = await TestServer.start({ database });
    const team = await own.createTeam('Draining team');
    try {
      // Hold the token's row (and on PGlite its only connection) in a transaction: the request's
      // authentication writes last_used_at on that row, so it waits until we let go.
      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => {
        locked = resolve;
      });
      const holder = database.db.transaction(async (tx) => {
        await tx.select().from(apiTokensTable).where(eq(apiTokensTable.teamId, team.teamId)).for('update');
        locked();
        await released;
      });
      await isLocked;

      let answered = false;
      const inFlight = own
        .gql<{ viewer: { team: { name: string } } }>('{ viewer { team { name } } }', {}, team.adminToken)
        .finally(() => {
          answered = true;
        });
      await new Promise((r) => setTimeout(r, 300)); // the request reaches the server and blocks
      let stopped = false;
      const stopping = own.server.stop().then(() => {
        stopped = true;
      });
      await new Promise((r) => setTimeout(r, 200));
      expect(answered).toBe(false); // the request really is in flight
      expect(stopped).toBe(false); // and stop() waits for it
      expect(await refused(own.server.port)).toBe(true); // but no longer accepts connections

      release();
      await holder;
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(res.data?.viewer.team.name).toBe('Draining team');
      await stopping;
      expect(stopped).toBe(true);
    } finally {
      await own.server.stop().catch(() => {});
      await database.close();
    }
  });
});
