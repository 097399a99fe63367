// Prometheus metrics of the API process (prom-client): GraphQL request durations by operation,
// errors by code, sync jobs by state, Pinpoint calls, live WebSockets; served on a private listener.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServerPlugin } from '@apollo/server';
import type { ExecutionResult } from 'graphql';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { OPEN_JOB_STATES, readOpenSyncJobs } from '../app/sync-stats.js';
import type { Logger } from '../logger.js';
import type { Services } from '../services.js';

type Database = Services['database'];

/** What the Pinpoint transport reports about one finished call (status null: no answer). */
export interface PinpointCallObservation {
  readonly method: string;
  readonly status: number | null;
  readonly durationMs: number;
  readonly kind?: string;
}

export interface Metrics {
  readonly registry: Registry;
  /** Durations by operation name and error codes of every HTTP GraphQL request. */
  apolloPlugin(): ApolloServerPlugin;
  observePinpointCall(call: PinpointCallObservation): void;
  /** Wraps graphql-ws `useServer` options to count open sockets, running operations and their errors. */
  instrumentWebSocket<T extends WsHooks>(options: T): T;
  /** Reports the read cache's hits, misses and entries at every scrape. */
  watchReadCache(cache: { stats(): ReadCacheStats }): void;
}

interface ReadCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly entries: number;
}

/** The graphql-ws server hooks the instrumentation wraps (structural, so it stays version-agnostic). */
interface WsHooks {
  // biome-ignore lint/suspicious/noExplicitAny: graphql-ws hook signatures are generic over Extra.
  onConnect?: (ctx: any) => unknown;
  // biome-ignore lint/suspicious/noExplicitAny: see above.
  onClose?: (ctx: any, code?: number, reason?: string) => unknown;
  // biome-ignore lint/suspicious/noExplicitAny: see above.
  onSubscribe?: (ctx: any, id: string, ...rest: any[]) => unknown;
  // biome-ignore lint/suspicious/noExplicitAny: see above.
  onComplete?: (ctx: any, id: string, ...rest: any[]) => unknown;
  // biome-ignore lint/suspicious/noExplicitAny: see above.
  onNext?: (ctx: any, id: string, payload: any, args: any, result: any) => unknown;
}

/** Operation names become labels only when they look like names; the first few hundred are kept. */
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,47}$/;
/** Jobs still to do or needing attention; DONE grows forever and is not counted at scrape time. */

export function createMetrics(options: {
  database: Database;
  logger: Logger;
  maxOperationNames?: number;
}): Metrics {
  const { database, logger } = options;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'bff_' });
  const operationLabel = boundedLabel(OPERATION_NAME, options.maxOperationNames ?? 200);
  const codeLabel = boundedLabel(ERROR_CODE, 100);

  const duration = new Histogram({
    name: 'bff_graphql_request_duration_seconds',
    help: 'HTTP GraphQL requests by operation name ("anonymous" when unnamed, "other" past the label cap).',
    labelNames: ['operation'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'bff_graphql_errors_total',
    help: 'GraphQL errors sent to clients (HTTP and WebSocket), by extensions.code.',
    labelNames: ['code'],
    registers: [registry],
  });
  const pinpointCalls = new Histogram({
    name: 'bff_pinpoint_request_duration_seconds',
    help: 'Calls to Pinpoint by method and HTTP status ("none" when no answer came: timeout, network, abort).',
    labelNames: ['method', 'status'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const sockets = new Gauge({
    name: 'bff_websocket_connections',
    help: 'Open graphql-ws connections (acknowledged or not).',
    registers: [registry],
  });
  const operations = new Gauge({
    name: 'bff_websocket_operations',
    help: 'Operations running over WebSockets (live subscriptions, and queries until they answer).',
    registers: [registry],
  });
  registerSyncJobGauges(registry, database, logger);

  return {
    registry,
    apolloPlugin: () => ({
      async requestDidStart({ request }) {
        const started = performance.now();
        return {
          async willSendResponse(rc) {
            const name = rc.operationName ?? request.operationName ?? null;
            duration.observe({ operation: operationLabel(name) }, (performance.now() - started) / 1000);
            const body = rc.response.body;
            if (body.kind === 'single') countErrors(body.singleResult.errors);
          },
        };
      },
    }),
    observePinpointCall(call) {
      const status = call.status === null ? 'none' : String(call.status);
      pinpointCalls.observe({ method: call.method, status }, call.durationMs / 1000);
    },
    instrumentWebSocket: (hooks) => instrumentWebSocket(hooks, sockets, operations, countErrors),
    watchReadCache: (cache) => registerReadCacheMetrics(registry, cache),
  };

  function countErrors(list: readonly { extensions?: Record<string, unknown> }[] | undefined): void {
    for (const error of list ?? []) {
      const code = error.extensions?.code;
      errors.inc({ code: codeLabel(typeof code === 'string' ? code : null, 'UNKNOWN') });
    }
  }
}

/** The read cache's counters, read from it at scrape time. */
function registerReadCacheMetrics(registry: Registry, cache: { stats(): ReadCacheStats }): void {
  new Counter({
    name: 'bff_read_cache_lookups_total',
    help: 'Cacheable reads (src/graphql/read-cache.ts) by result: "hit" answered from memory, "miss" executed.',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      const { hits, misses } = cache.stats();
      this.reset();
      this.inc({ result: 'hit' }, hits);
      this.inc({ result: 'miss' }, misses);
    },
  });
  new Gauge({
    name: 'bff_read_cache_entries',
    help: 'Answers kept in the read cache.',
    registers: [registry],
    collect() {
      this.set(cache.stats().entries);
    },
  });
}

/** Counts open graphql-ws sockets and running operations by wrapping the server's hooks. */
function instrumentWebSocket<T extends WsHooks>(
  hooks: T,
  sockets: Gauge,
  operations: Gauge,
  countErrors: (list: readonly { extensions?: Record<string, unknown> }[] | undefined) => void,
): T {
  const running = new WeakMap<object, Set<string>>();
  const forget = (ctx: object) => {
    operations.dec(running.get(ctx)?.size ?? 0);
    running.delete(ctx);
  };
  return {
    ...hooks,
    onConnect: async (ctx: object) => {
      const accepted = await hooks.onConnect?.(ctx);
      if (accepted !== false) {
        sockets.inc();
        running.set(ctx, new Set());
      }
      return accepted;
    },
    onClose: async (ctx: object, code?: number, reason?: string) => {
      if (running.has(ctx)) sockets.dec();
      forget(ctx);
      return hooks.onClose?.(ctx, code, reason);
    },
    onSubscribe: async (ctx: object, id: string, ...rest: unknown[]) => {
      const set = running.get(ctx);
      if (set && !set.has(id)) {
        set.add(id);
        operations.inc();
      }
      const answer = await hooks.onSubscribe?.(ctx, id, ...rest);
      // Errors instead of an operation (a rate limit): it never runs, so it never completes.
      if (Array.isArray(answer) && set?.delete(id)) operations.dec();
      return answer;
    },
    onComplete: async (ctx: object, id: string, ...rest: unknown[]) => {
      if (running.get(ctx)?.delete(id)) operations.dec();
      return hooks.onComplete?.(ctx, id, ...rest);
    },
    onNext: async (ctx: object, id: string, payload: unknown, args: unknown, result: unknown) => {
      const sent = ((await hooks.onNext?.(ctx, id, payload, args, result)) ?? result) as ExecutionResult;
      countErrors(sent?.errors);
      return sent;
    },
  };
}

/**
 * Sync jobs by state and the age of the oldest queued job, read at scrape time with one grouped
 * query on the (status, run_at) index. A failed read leaves the series out and logs a warning.
 */
function registerSyncJobGauges(registry: Registry, database: Database, logger: Logger): void {
  let snapshot: Promise<Map<string, { count: number; oldestAgeSeconds: number }>> | null = null;
  // Both gauges collect in one scrape: share one query between them.
  const read = () => {
    snapshot ??= readOpenSyncJobs(database.db).finally(() =>
      setTimeout(() => (snapshot = null), 100).unref(),
    );
    return snapshot;
  };
  new Gauge({
    name: 'bff_sync_jobs',
    help: 'Outbox jobs by state (QUEUED, RUNNING, PAUSED, DEAD; finished jobs are not counted).',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await read().catch((err: unknown) => {
        logger.warn({ err }, 'metrics: could not read sync job counts');
        return null;
      });
      for (const state of rows ? OPEN_JOB_STATES : []) this.set({ state }, rows?.get(state)?.count ?? 0);
    },
  });
  new Gauge({
    name: 'bff_sync_oldest_queued_job_age_seconds',
    help: 'Age of the oldest QUEUED outbox job (0 when none is queued): how far behind the workers are.',
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await read().catch(() => null);
      if (rows) this.set(rows.get('QUEUED')?.oldestAgeSeconds ?? 0);
    },
  });
}

/** A label value from untrusted text: the pattern, at most `max` distinct values, the rest "other". */
function boundedLabel(pattern: RegExp, max: number) {
  const seen = new Set<string>();
  return (value: string | null, fallback = 'anonymous'): string => {
    if (value === null || value === '') return fallback;
    if (!pattern.test(value)) return 'other';
    if (seen.has(value)) return value;
    if (seen.size >= max) return 'other';
    seen.add(value);
    return value;
  };
}

export interface MetricsListener {
  readonly url: string;
  close(): Promise<void>;
}

/** GET /metrics on its own port (METRICS_HOST, 127.0.0.1 by default), apart from the public API. */
export async function serveMetrics(metrics: Metrics, host: string, port: number): Promise<MetricsListener> {
  const server: Server = createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' || pathname !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: metrics are at GET /metrics\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const display = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${display}:${bound}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
