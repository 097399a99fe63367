// Process lifecycle shared by the entry points (server and worker): configuration that stops the
// process with a message naming the variable, a stop on SIGTERM/SIGINT that always ends, and an exit
// on any unexpected error (a supervisor restarts a clean process; a half-alive one helps nobody).
import { Worker } from 'node:worker_threads';
import { type Config, ConfigError, loadConfig } from './config.js';
import type { Logger } from './logger.js';

/** After the graceful deadline, this much more before the watchdog thread kills the process. */
const WATCHDOG_GRACE_MS = 2_000;

export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/** Logs an uncaught exception or unhandled rejection and exits 1. Install once, first thing. */
export function exitOnUnexpectedErrors(logger: Logger): void {
  const fail = (kind: string) => (error: unknown) => {
    try {
      logger.fatal({ err: error }, `${kind}: exiting`);
    } finally {
      process.exit(1);
    }
  };
  process.on('uncaughtException', fail('uncaught exception'));
  // No exception for lost database connections: the one source of those (postgres.js dropping the
  // promise of its array-types query when a new connection's backend is terminated) is patched in
  // patches/postgres+3.4.9.patch, and test/integration/db-connection-loss.test.ts proves it.
  process.on('unhandledRejection', fail('unhandled promise rejection'));
}

/**
 * Registers SIGTERM/SIGINT handlers now (call before anything listens). On the first signal runs
 * `stop()` — it must cope with a process still starting — then exits 0, or 1 on failure or after
 * `timeoutMs`. A watchdog thread kills the process if even that exit cannot complete (an exit
 * hook or a busy loop holding the main thread).
 */
export function stopOnSignals(logger: Logger, timeoutMs: number, stop: () => Promise<void>): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    startWatchdog(timeoutMs + WATCHDOG_GRACE_MS);
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'graceful shutdown timed out; exiting');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    try {
      await stop();
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

/** A thread of its own, so nothing on the main thread can defer it. */
function startWatchdog(ms: number): void {
  const source = `const { workerData } = require('node:worker_threads');
setTimeout(() => process.kill(workerData.pid, 'SIGKILL'), workerData.ms);`;
  const watchdog = new Worker(source, { eval: true, workerData: { pid: process.pid, ms } });
  watchdog.unref();
}
