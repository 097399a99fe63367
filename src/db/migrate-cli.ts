// `npm run db:migrate`: applies pending migrations to the configured database and exits.
import { loadConfig } from '../config.js';
import { openDatabase } from './client.js';
import { migrateDatabase } from './migrate.js';

const config = loadConfig();
const database = await openDatabase(config.database);
try {
  await migrateDatabase(database);
  console.log('migrations applied');
} finally {
  await database.close();
}
