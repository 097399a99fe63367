// `npm run worker`: outbox workers alone, no HTTP: config → logger → database (migrated) → services →
// executor → workers, stopped gracefully (leases handed back) on SIGTERM/SIGINT.
import { type Config, ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/client.js';
import { migrateDatabase } from './db/migrate.js';
import { createLogger } from './logger.js';
import { createServices } from './server.js';
import { createExecutor } from './sync/executor.js';
import { createRequestGate } from './sync/rate-limit.js';
import { startWorkers } from './sync/worker.js';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
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
  const executor = createExecutor(services, {
    gate: createRequestGate(database.db, { requestsPerSecond: config.sync.requestsPerSecond }),
  });
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

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('graceful shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    try {
      await workers.stop();
      await services.events.close();
      await database.close();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error('Worker failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
