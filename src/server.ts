// Composition root: config → logger → database (migrated) → services → HTTP + WebSocket → listen.
// `npm start` runs main(); tests call startServer() with their own config and database.
import { pathToFileURL } from 'node:url';
import { countTeams, createTeam, withSeedLock } from './app/teams.js';
import { createServices } from './compose.js';
import type { Config } from './config.js';
import { type Database, openDatabase } from './db/client.js';
import { migrateDatabase } from './db/migrate.js';
import { schema } from './graphql/schema.js';
import { type HttpApp, startHttpApp } from './http/app.js';
import { createMetrics, type Metrics, type MetricsListener, serveMetrics } from './http/metrics.js';
import { createLogger, type Logger } from './logger.js';
import { exitOnUnexpectedErrors, loadConfigOrExit, stopOnSignals } from './runtime.js';
import type { Services } from './services.js';
import { type AtsReconciler, startAtsReconciler } from './sync/ats-reconciler.js';
import type { JobExecutor } from './sync/executor-types.js';
import { startWorkers, type Workers } from './sync/worker.js';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly services: Services;
  readonly http: HttpApp;
  /** The outbox workers running in this process, when asked for. */
  readonly workers: Workers | null;
  /** The ATS reconciler, running alongside the workers. */
  readonly reconciler: AtsReconciler | null;
  /** Where Prometheus scrapes this process (METRICS_PORT), or null when metrics are off. */
  readonly metricsUrl: string | null;
  /** Graceful stop: stop accepting, finish in-flight work, close sockets (the database stays open). */
  stop(): Promise<void>;
}

export async function startServer(deps: {
  config: Config;
  database: Database;
  logger: Logger;
  port?: number;
  host?: string;
  /** Runs outbox workers in this process (tests leave it out and start workers themselves). */
  workers?: {
    executor: JobExecutor | ((services: Services) => JobExecutor);
    /** Defaults to WORKER_CONCURRENCY. */
    concurrency?: number;
    /** Only these teams' jobs (read on every claim, so the list may grow); absent: every team. */
    onlyTeams?: readonly string[];
  };
}): Promise<RunningServer> {
  const metrics = deps.config.metrics
    ? createMetrics({ database: deps.database, logger: deps.logger, ...deps.config.metrics })
    : null;
  const services = createServices({
    ...deps,
    ...(metrics ? { onPinpointCall: metrics.observePinpointCall } : {}),
  });
  const http = await startHttpApp({ schema, services, port: deps.port, host: deps.host, metrics });
  const metricsListener = await listenForScrapes(metrics, deps.config);
  const workers = deps.workers
    ? startWorkers({
        database: deps.database,
        executor:
          typeof deps.workers.executor === 'function'
            ? deps.workers.executor(services)
            : deps.workers.executor,
        logger: deps.logger,
        concurrency: deps.workers.concurrency ?? deps.config.workerConcurrency,
        settings: deps.config.sync,
        events: services.events,
        ...(deps.workers.onlyTeams ? { onlyTeams: deps.workers.onlyTeams } : {}),
      })
    : null;
  // The reconciler runs where workers run: it only queues jobs, the workers carry them out.
  const reconciler: AtsReconciler | null = workers
    ? startAtsReconciler({
        database: deps.database,
        logger: deps.logger,
        settings: deps.config.ats,
        ...(deps.workers?.onlyTeams ? { onlyTeams: deps.workers.onlyTeams } : {}),
      })
    : null;
  return {
    url: http.url,
    port: http.port,
    services,
    http,
    workers,
    reconciler,
    metricsUrl: metricsListener?.url ?? null,
    async stop() {
      // Workers first: they hand unfinished jobs back while the database is certainly open.
      await reconciler?.stop();
      await workers?.stop();
      await http.stop();
      await metricsListener?.close();
      await services.events.close();
    },
  };
}

async function listenForScrapes(metrics: Metrics | null, config: Config): Promise<MetricsListener | null> {
  if (!metrics || !config.metrics) return null;
  return serveMetrics(metrics, config.metrics.host, config.metrics.port);
}

/** First run: a database with no team gets a demo team whose admin token is printed once. */
async function seedDemoTeam(database: Database): Promise<{ token: string; email: string } | null> {
  return withSeedLock(database.db, async (db) => {
    if ((await countTeams(db)) > 0) return null;
    const email = 'admin@demo.example';
    const { token } = await createTeam(db, { name: 'Demo team', adminEmail: email });
    return { token, email };
  });
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  exitOnUnexpectedErrors(logger);
  // Registered before anything opens or listens: a signal during start stops what exists so far.
  let database: Database | null = null;
  let server: RunningServer | null = null;
  stopOnSignals(logger, config.shutdownTimeoutMs, async () => {
    await server?.stop();
    await database?.close();
  });
  database = await openDatabase(config.database);
  await migrateDatabase(database);
  const seeded = config.seedDemoTeam ? await seedDemoTeam(database) : null;
  // Loaded only when workers run here, so tests importing startServer never load the executor.
  const executor =
    config.workerConcurrency > 0 ? (await import('./sync/executor.js')).createGatedExecutor : null;
  server = await startServer({
    config,
    database,
    logger,
    ...(executor
      ? {
          workers: {
            executor,
            // WORKER_ONLY_TEAMS holds for this process's workers as for `npm run worker`'s.
            ...(config.workerOnlyTeams ? { onlyTeams: config.workerOnlyTeams } : {}),
          },
        }
      : {}),
  });
  logger.info(
    {
      url: `${server.url}/graphql`,
      database: config.database.kind,
      workers: config.workerConcurrency,
      startupMs: Math.round(performance.now() - startedAt),
    },
    'server ready',
  );
  if (seeded) {
    // Printed once, to the terminal only (never logged): the token is a secret.
    process.stdout.write(
      [
        '',
        `First run: created "Demo team" with admin ${seeded.email}.`,
        `  Playground: ${server.url}/graphql`,
        `  Header:     {"Authorization": "Bearer ${seeded.token}"}`,
        '  This token is shown only now; create more with `npm run cli -- create-user`.',
        '',
      ].join('\n'),
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error('Server failed to start:', error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
