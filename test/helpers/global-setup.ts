// Runs once per test run: migrates a PGlite template that every test file loads (initdb + migrations
// cost seconds; loading a dump is fast), and migrates TEST_DATABASE_URL when it is set.
import { mkdirSync, writeFileSync } from 'node:fs';
import { databaseTargetFromUrl } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { TEMPLATE_DIR, TEMPLATE_PATH } from './paths.js';

export default async function setup(): Promise<void> {
  const pglite = await openDatabase({ kind: 'pglite', dataDir: null });
  try {
    await migrateDatabase(pglite);
    const dump = await dumpPglite(pglite);
    mkdirSync(TEMPLATE_DIR, { recursive: true });
    writeFileSync(TEMPLATE_PATH, Buffer.from(await dump.arrayBuffer()));
  } finally {
    await pglite.close();
  }
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const pg = await openDatabase(databaseTargetFromUrl(url, '.data'));
    try {
      await migrateDatabase(pg);
    } finally {
      await pg.close();
    }
  }
}

async function dumpPglite(database: Awaited<ReturnType<typeof openDatabase>>): Promise<Blob> {
  if (!database.dumpDataDir) throw new Error('not a PGlite database');
  return database.dumpDataDir();
}
