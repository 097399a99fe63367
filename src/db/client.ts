// Opens the one database: embedded PGlite (on disk or in memory) or PostgreSQL through postgres.js,
// behind one drizzle type, plus LISTEN/NOTIFY for cross-instance fan-out.
import { mkdirSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { DatabaseTarget } from '../config.js';
import { acquireDataDirLock } from './data-dir-lock.js';
import * as schema from './schema.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle; use cases accept `Db | Tx` where they can run inside either. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export interface Database {
  readonly db: Db;
  readonly driver: 'pglite' | 'postgres';
  /**
   * Subscribes to a NOTIFY channel; resolves to an unsubscribe function. `onListen` runs each time
   * LISTEN is in place, the first time and after every reconnection (PostgreSQL: notifications sent
   * while the connection was down are lost, so a listener catches up then).
   */
  listen(
    channel: string,
    onPayload: (payload: string) => void,
    onListen?: () => void,
  ): Promise<() => Promise<void>>;
  /** Answers true when a trivial query succeeds. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
  /** The driver's own client, for the few things drizzle cannot do (migration locking, dumps). */
  readonly raw: { kind: 'pglite'; client: PGlite } | { kind: 'postgres'; client: postgres.Sql; url: string };
  /** PGlite only: a dump of the data directory (tests start files from a migrated template). */
  dumpDataDir?: () => Promise<Blob>;
}

export interface OpenOptions {
  /** Called with the SQL of every statement drizzle runs (tests count statements with it). */
  onQuery?: (query: string) => void;
  /** An existing PGlite data directory dump to start from (tests: a migrated template). */
  loadDataDir?: Blob;
}

export async function openDatabase(target: DatabaseTarget, options: OpenOptions = {}): Promise<Database> {
  const logger = options.onQuery ? { logQuery: (query: string) => options.onQuery?.(query) } : undefined;
  if (target.kind === 'pglite') return openPglite(target, options, logger);
  const client = postgres(target.url, {
    max: target.poolMax,
    onnotice: () => {},
    connect_timeout: 10,
    connection: { application_name: 'pinpoint-bff' },
  });
  const db = drizzlePostgres({ client, schema, logger }) as unknown as Db;
  return {
    db,
    driver: 'postgres',
    raw: { kind: 'postgres', client, url: target.url },
    listen: async (channel, onPayload, onListen) => {
      const sub = await client.listen(channel, onPayload, onListen);
      return async () => {
        await sub.unlisten();
      };
    },
    ping: async () => {
      try {
        await db.execute(sql`select 1`);
        return true;
      } catch {
        return false;
      }
    },
    close: async () => {
      await client.end({ timeout: 5 });
    },
  };
}

/** Embedded PGlite, on disk (locked against a second process) or in memory. */
async function openPglite(
  target: Extract<DatabaseTarget, { kind: 'pglite' }>,
  options: OpenOptions,
  logger: { logQuery: (query: string) => void } | undefined,
): Promise<Database> {
  // Loaded only for PGlite: on PostgreSQL the embedded database's modules (~16 MB RSS) stay unloaded.
  const [{ PGlite }, { drizzle: drizzlePglite }, { usePreparedStatements }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
    import('./pglite-statements.js'),
  ]);
  /**
   * PostgreSQL's default 128 MB of shared buffers grows PGlite's WASM heap past its 128 MB initial
   * size (which cannot be lowered); 16 MB keeps it there: idle RSS of a bare PGlite 367 → 245 MB.
   */
  const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];
  if (target.dataDir) mkdirSync(target.dataDir, { recursive: true });
  const lock = target.dataDir ? acquireDataDirLock(target.dataDir) : null;
  const client = await PGlite.create({
    startParams: PGLITE_START_PARAMS,
    ...(target.dataDir ? { dataDir: target.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  }).catch((error: unknown) => {
    lock?.release();
    throw error;
  });
  usePreparedStatements(client);
  takeTurns(client);
  const db = drizzlePglite({ client, schema, logger }) as unknown as Db;
  return {
    db,
    driver: 'pglite',
    raw: { kind: 'pglite', client },
    listen: async (channel, onPayload, onListen) => {
      const unlisten = await client.listen(channel, onPayload).finally(onListen); // in place once, never lost
      return async () => {
        if (!client.closed) await unlisten();
      };
    },
    ping: async () => {
      try {
        await client.query('select 1');
        return true;
      } catch {
        return false;
      }
    },
    close: async () => {
      if (!client.closed) await client.close();
      lock?.release();
    },
    dumpDataDir: () => client.dumpDataDir('none'),
  };
}

/**
 * PGlite runs each query on this thread: a heavy operation's queries would run back to back, with
 * nothing (not even /healthz) in between. Each query outside a transaction first waits for one turn of
 * the event loop, so other requests and timers get in between queries (a transaction's own queries
 * run through its handle and keep their order without waiting).
 */
function takeTurns(client: { query: (...args: never[]) => Promise<unknown> }): void {
  const query = client.query.bind(client);
  client.query = async (...args) => {
    await new Promise((resolve) => setImmediate(resolve));
    return query(...args);
  };
}
