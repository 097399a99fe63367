// `npm run worker`: outbox workers alone, no HTTP: config → logger → database (migrated) → services →
// executor → workers, stopped gracefully (leases handed back) on SIGTERM/SIGINT.
import { createServices } from './compose.js';
import { type Database, openDatabase } from './db/client.js';
import { migrateDatabase } from './db/migrate.js';
import { createLogger } from './logger.js';
import { exitOnUnexpectedErrors, loadConfigOrExit, stopOnSignals } from './runtime.js';
import type { Services } from './services.js';
import { type AtsReconciler, startAtsReconciler } from './sync/ats-reconciler.js';
import { createGatedExecutor } from './sync/executor.js';
import { startWorkers, type Workers } from './sync/worker.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (config.workerConcurrency < 1) {
    console.error('Invalid configuration:\n  WORKER_CONCURRENCY: must be at least 1 to run `npm run worker`');
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  exitOnUnexpectedErrors(logger);
  // Registered before anything opens: a signal during start stops what exists so far.
  let database: Database | null = null;
  let services: Services | null = null;
  let workers: Workers | null = null;
  let reconciler: AtsReconciler | null = null;
  stopOnSignals(logger, config.shutdownTimeoutMs, async () => {
    await reconciler?.stop();
    await workers?.stop();
    await services?.events.close();
    await database?.close();
  });
  if (config.database.kind === 'pglite') {
    logger.warn(
      'embedded PGlite serves one process: run `npm run worker` only while the server is down (or set DATABASE_URL)',
    );
  }
  database = await openDatabase(config.database);
  await migrateDatabase(database);
  services = createServices({ config, database, logger });
  const executor = createGatedExecutor(services);
  workers = startWorkers({
    database,
    executor,
    logger,
    concurrency: config.workerConcurrency,
    settings: config.sync,
    events: services.events,
    ...(config.workerOnlyTeams ? { onlyTeams: config.workerOnlyTeams } : {}),
  });
  reconciler = startAtsReconciler({
    database,
    logger,
    settings: config.ats,
    ...(config.workerOnlyTeams ? { onlyTeams: config.workerOnlyTeams } : {}),
  });
  logger.info(
    {
      workerId: workers.id,
      concurrency: config.workerConcurrency,
      database: config.database.kind,
      onlyTeams: config.workerOnlyTeams,
    },
    'sync workers ready',
  );
}

main().catch((error: unknown) => {
  console.error('Worker failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
