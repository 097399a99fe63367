// Applies drizzle-kit's SQL migrations; on PostgreSQL under a session advisory lock on a dedicated
// connection, so that several instances starting together migrate once.
import { fileURLToPath } from 'node:url';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import type { Database } from './client.js';

export const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));
const MIGRATION_LOCK = 727_274_001;

export async function migrateDatabase(database: Database): Promise<void> {
  const raw = database.raw;
  if (raw.kind === 'pglite') {
    // Loaded only for PGlite: a server on PostgreSQL never loads the embedded database's modules.
    const [{ drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
      import('drizzle-orm/pglite'),
      import('drizzle-orm/pglite/migrator'),
    ]);
    await migratePglite(drizzlePglite({ client: raw.client }), { migrationsFolder });
    return;
  }
  // One connection, so the session lock and the migration share it.
  const connection = postgres(raw.url, { max: 1, onnotice: () => {} });
  try {
    await connection`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migratePostgres(drizzlePostgres({ client: connection }), { migrationsFolder });
  } finally {
    await connection.end({ timeout: 5 });
  }
}
