// `npm run worker`: outbox workers alone, no HTTP: config → logger → database (migrated) → services →
// executor → workers, stopped gracefully (leases handed back) on SIGTERM/SIGINT.
import { createServices } from './compose.js';
import { openDatabase } from './db/client.js';
import { migrateDatabase } from './db/migrate.js';
import { createLogger } from './logger.js';
import { loadConfigOrExit, stopOnSignals } from './runtime.js';
import { createGatedExecutor } from './sync/executor.js';
import { startWorkers } from './sync/worker.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (config.workerConcurrency < 1) {
    console.error('Invalid configuration:\n  WORKER_CONCURRENCY: must be at least 1 to run `npm run worker`');
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  if (config.database.kind === 'pglite') {
    logger.warn(
      'embedded PGlite serves one process: run `npm run worker` only while the server is down (or set DATABASE_URL)',
    );
  }
  const database = await openDatabase(config.database);
  await migrateDatabase(database);
  const services = createServices({ config, database, logger });
  const executor = createGatedExecutor(services);
  const workers = startWorkers({
    database,
    executor,
    logger,
    concurrency: config.workerConcurrency,
    settings: config.sync,
    events: services.events,
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

  stopOnSignals(logger, config.shutdownTimeoutMs, async () => {
    await workers.stop();
    await services.events.close();
    await database.close();
  });
}

main().catch((error: unknown) => {
  console.error('Worker failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
