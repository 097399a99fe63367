// The only reader of process.env: every setting parsed with zod, a bad value names its variable.
import path from 'node:path';
import { z } from 'zod';
import { bool, int, isExactOrigin, optionalBool } from './config-values.js';

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: int(4000, 0, 65535),
  DATA_DIR: z.string().min(1).default('.data'),
  DATABASE_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^(postgres(ql)?:\/\/|memory:\/\/|file:)/.test(v), {
      message: 'must be postgres://…, memory:// or file:<dir> (or unset for embedded PGlite in DATA_DIR)',
    }),
  DATABASE_POOL_MAX: int(10, 1, 200),
  PINPOINT_BASE_URL: z
    .string()
    .default('https://{domain}.pinpointhq.com')
    .refine((v) => v.includes('{domain}'), { message: 'must contain the {domain} placeholder' })
    .refine((v) => /^https?:\/\//.test(v), { message: 'must start with http:// or https://' }),
  PINPOINT_TIMEOUT_MS: int(15_000, 100, 120_000),
  PINPOINT_CONNECT_TIMEOUT_MS: int(5_000, 50, 60_000),
  ACTIVATION_TIMEOUT_MS: int(8_000, 100, 60_000),
  ENCRYPTION_KEY: z.string().optional(),
  // Unset: on, except with NODE_ENV=production (resolved in loadConfig).
  GRAPHQL_INTROSPECTION: optionalBool,
  GRAPHQL_PLAYGROUND: optionalBool,
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const origins = (v ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o !== '');
      const bad = origins.filter((o) => !isExactOrigin(o));
      if (bad.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `must be comma-separated exact origins such as https://app.example.com or chrome-extension://<id> (not: ${bad.join(', ')})`,
        });
        return z.NEVER;
      }
      return origins;
    }),
  GRAPHQL_MAX_DEPTH: int(12, 2, 50),
  GRAPHQL_MAX_TOKENS: int(5_000, 100, 100_000),
  GRAPHQL_MAX_COST: int(10_000, 10, 10_000_000),
  GRAPHQL_MAX_NODES: int(200_000, 100, 10_000_000),
  GRAPHQL_TIMEOUT_MS: int(30_000, 10, 600_000),
  GRAPHQL_EXECUTOR: z.enum(['jit', 'graphql-js']).default('jit'),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must look like 512kb or 2mb')
    .default('2mb'),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 0, 120_000),
  SUBSCRIPTION_TOKEN_RECHECK_MS: int(10_000, 0, 3_600_000),
  AUTH_CACHE_TTL_MS: int(10_000, 0, 300_000),
  READ_CACHE_MB: int(32, 0, 4_096),
  AUTH_NEGATIVE_CACHE_TTL_MS: int(5_000, 0, 60_000),
  AUTH_FAILURE_LIMIT: int(20, 0, 1_000_000),
  AUTH_FAILURE_WINDOW_MS: int(60_000, 1_000, 3_600_000),
  AUTH_FAILURE_LOG_INTERVAL_MS: int(60_000, 100, 3_600_000),
  TRUST_PROXY_HOPS: int(0, 0, 10),
  RATE_LIMIT_REQUESTS: int(3_000, 0, 1_000_000_000),
  RATE_LIMIT_WINDOW_MS: int(60_000, 1_000, 86_400_000),
  SEED_DEMO_TEAM: bool(true),
  WORKER_CONCURRENCY: int(4, 0, 64),
  WORKER_LEASE_MS: int(30_000, 100, 3_600_000),
  WORKER_POLL_INTERVAL_MS: int(1_000, 10, 60_000),
  WORKER_SHUTDOWN_GRACE_MS: int(5_000, 0, 120_000),
  WORKER_ONLY_TEAMS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      const ids = v.split(',').map((t) => t.trim());
      if (!ids.every((t) => z.uuid().safeParse(t).success)) {
        ctx.addIssue({ code: 'custom', message: 'must be a comma-separated list of team ids (uuids)' });
        return z.NEVER;
      }
      return ids;
    }),
  SYNC_MAX_ATTEMPTS: int(8, 1, 100),
  SYNC_BACKOFF_BASE_MS: int(1_000, 1, 3_600_000),
  SYNC_BACKOFF_CAP_MS: int(300_000, 1, 86_400_000),
  PINPOINT_MAX_CONCURRENCY: int(4, 1, 256),
  PINPOINT_REQUESTS_PER_SECOND: int(20, 1, 10_000),
  BREAKER_THRESHOLD: int(5, 1, 1_000),
  BREAKER_COOLDOWN_MS: int(30_000, 10, 3_600_000),
  PUBLIC_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || v.trim() === '' || /^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(v.trim()), {
      message: 'must be an absolute http(s) URL, e.g. https://bff.example.com',
    }),
  WEBHOOK_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must look like 64kb or 1mb')
    .default('64kb'),
  ATS_RECONCILE_TICK_MS: int(60_000, 0, 86_400_000),
  ATS_RECONCILE_INTERVAL_MS: int(6 * 3_600_000, 1_000, 30 * 86_400_000),
  ATS_RECONCILE_WINDOW_DAYS: int(30, 1, 3_650),
  ATS_RECONCILE_BATCH: int(200, 1, 10_000),
  ATS_WEBHOOK_SILENT_AFTER_MS: int(86_400_000, 1_000, 30 * 86_400_000),
  // Unset: no metrics listener. 0 picks a free port (tests). Never served on the public PORT.
  METRICS_PORT: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return null;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be a port from 0 to 65535 (or unset to turn metrics off)',
        });
        return z.NEVER;
      }
      return n;
    }),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  METRICS_MAX_OPERATION_NAMES: int(200, 1, 10_000),
});

export type DatabaseTarget =
  | { kind: 'pglite'; dataDir: string | null }
  | { kind: 'postgres'; url: string; poolMax: number };

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly logLevel: string;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly database: DatabaseTarget;
  readonly pinpoint: {
    readonly baseUrlTemplate: string;
    readonly timeoutMs: number;
    readonly connectTimeoutMs: number;
    readonly activationTimeoutMs: number;
  };
  /** Raw ENCRYPTION_KEY (parsed by the secret box); null means "use the development key file". */
  readonly encryptionKey: string | null;
  readonly graphql: {
    readonly introspection: boolean;
    readonly playground: boolean;
    /** Never configurable: responses carry no stack traces, whatever NODE_ENV says. */
    readonly includeStacktrace: false;
    readonly maxDepth: number;
    readonly maxTokens: number;
    /** Largest estimated cost (fields × page sizes down the tree) an operation may have. */
    readonly maxCost: number;
    /** Largest number of resolved fields and list items one operation may produce. */
    readonly maxNodes: number;
    /** Time budget of one operation's execution. */
    readonly timeoutMs: number;
    /** `jit`: documents compiled by graphql-jit (the default); `graphql-js`: the reference executor. */
    readonly executor: 'jit' | 'graphql-js';
  };
  /** CORS_ORIGINS: browser origins allowed to call the API (HTTP CORS and WebSocket Origin). */
  readonly corsOrigins: readonly string[];
  readonly bodyLimit: string;
  readonly shutdownTimeoutMs: number;
  /** How often a live subscription re-checks that its token was not revoked. */
  readonly subscriptionTokenRecheckMs: number;
  /** How long a token's viewer is kept in memory (a revocation drops it at once); 0 disables. */
  readonly authCacheTtlMs: number;
  /**
   * READ_CACHE_MB: memory for cached answers to team-data reads (dashboards), dropped on any change of
   * the team's data (src/app/read-cache.ts); 0 turns the cache off.
   */
  readonly readCacheBytes: number;
  /** Failed authentications: the negative cache, the per-address throttle and its log line. */
  readonly authFailures: AuthFailureSettings;
  /**
   * TRUST_PROXY_HOPS: reverse proxies in front of the server whose X-Forwarded-For entries are
   * believed (0: the socket's peer is the client; X-Forwarded-For is ignored).
   */
  readonly trustProxyHops: number;
  /**
   * Per-API-token request budget, counted in this instance's memory (RATE_LIMIT_REQUESTS per
   * RATE_LIMIT_WINDOW_MS; every HTTP request and WebSocket operation costs 1); null when 0 (off).
   */
  readonly rateLimit: { readonly limit: number; readonly windowMs: number } | null;
  readonly seedDemoTeam: boolean;
  readonly workerConcurrency: number;
  /** WORKER_ONLY_TEAMS: workers claim only these teams' jobs (a dedicated tenant worker); null: every team. */
  readonly workerOnlyTeams: readonly string[] | null;
  readonly sync: SyncSettings;
  /**
   * The service's public base URL, without a trailing slash: webhook URLs shown to admins are built
   * on it. PUBLIC_URL, else http://<HOST>:<PORT> (localhost for a wildcard host).
   */
  readonly publicUrl: string;
  readonly ats: AtsSettings;
  /** Prometheus GET /metrics on its own listener; null when METRICS_PORT is unset (off). */
  readonly metrics: MetricsSettings | null;
}

export interface AuthFailureSettings {
  /** How long an unknown token hash is remembered (a newly issued token clears it at once); 0 disables. */
  readonly negativeCacheTtlMs: number;
  /** Failed authentications one client address may have per window before 429; 0 disables. */
  readonly limit: number;
  readonly windowMs: number;
  /** At most one warn line with the failure counts per this interval. */
  readonly logIntervalMs: number;
}

/** Pinpoint → us: webhook intake and the reconciler (issue 13); durations in milliseconds. */
export interface AtsSettings {
  /** Largest webhook body accepted (express `limit` syntax, e.g. `64kb`); larger gets 413. */
  readonly webhookBodyLimit: string;
  /** How often a worker process looks for applications to re-read; 0 turns the reconciler off. */
  readonly reconcileTickMs: number;
  /** A linked contact is re-read at most once per this interval (webhooks reset it too). */
  readonly reconcileIntervalMs: number;
  /** Only contacts pushed to Pinpoint within this many days are re-read. */
  readonly reconcileWindowDays: number;
  /** Most applications queued per tick (the per-integration rate limit still paces the calls). */
  readonly reconcileBatch: number;
  /** No webhook for this long while contacts are linked turns `Integration.webhookStatus` to SILENT. */
  readonly webhookSilentAfterMs: number;
}

export interface MetricsSettings {
  readonly host: string;
  readonly port: number;
  /** Distinct operation names kept as labels; later ones are counted as "other". */
  readonly maxOperationNames: number;
}

/** Outbox worker settings (see src/sync/worker.ts); every duration in milliseconds. */
export interface SyncSettings {
  /** How long a claimed job is reserved; a heartbeat extends it while the job runs. */
  readonly leaseMs: number;
  /** How often an idle worker looks for due jobs when no notification wakes it. */
  readonly pollIntervalMs: number;
  /** On shutdown, how long in-flight jobs may finish before they are aborted and returned. */
  readonly shutdownGraceMs: number;
  /** Executions per job before it is given up (DEAD). */
  readonly maxAttempts: number;
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
  /** Jobs of one integration running at once, across every instance. */
  readonly perIntegrationConcurrency: number;
  /** Requests per second to Pinpoint for one integration, across every instance. */
  readonly requestsPerSecond: number;
  /** Consecutive transient failures (5xx, timeouts) that open an integration's breaker. */
  readonly breakerThreshold: number;
  readonly breakerCooldownMs: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function databaseTargetFromUrl(
  url: string | undefined,
  dataDir: string,
  poolMax = 10,
): DatabaseTarget {
  if (url === undefined || url === '') return { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') };
  if (url === 'memory://') return { kind: 'pglite', dataDir: null };
  if (url.startsWith('file:')) return { kind: 'pglite', dataDir: url.slice('file:'.length) };
  return { kind: 'postgres', url, poolMax };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const encryptionKey = e.ENCRYPTION_KEY?.trim() ? e.ENCRYPTION_KEY.trim() : null;
  if (e.NODE_ENV === 'production' && encryptionKey === null) {
    throw new ConfigError(
      'Invalid configuration:\n  ENCRYPTION_KEY: required when NODE_ENV=production (32 random bytes, base64)',
    );
  }
  return Object.freeze({
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    host: e.HOST,
    port: e.PORT,
    dataDir: e.DATA_DIR,
    database: databaseTargetFromUrl(e.DATABASE_URL, e.DATA_DIR, e.DATABASE_POOL_MAX),
    pinpoint: Object.freeze({
      baseUrlTemplate: e.PINPOINT_BASE_URL.replace(/\/+$/, ''),
      timeoutMs: e.PINPOINT_TIMEOUT_MS,
      connectTimeoutMs: e.PINPOINT_CONNECT_TIMEOUT_MS,
      activationTimeoutMs: e.ACTIVATION_TIMEOUT_MS,
    }),
    encryptionKey,
    graphql: graphqlConfig(e),
    corsOrigins: Object.freeze(e.CORS_ORIGINS),
    bodyLimit: e.BODY_LIMIT,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    subscriptionTokenRecheckMs: e.SUBSCRIPTION_TOKEN_RECHECK_MS,
    ...callerLimits(e),
    seedDemoTeam: e.SEED_DEMO_TEAM,
    workerConcurrency: e.WORKER_CONCURRENCY,
    workerOnlyTeams: e.WORKER_ONLY_TEAMS ? Object.freeze(e.WORKER_ONLY_TEAMS) : null,
    publicUrl: publicUrlOf(e.PUBLIC_URL, e.HOST, e.PORT),
    ats: Object.freeze({
      webhookBodyLimit: e.WEBHOOK_BODY_LIMIT,
      reconcileTickMs: e.ATS_RECONCILE_TICK_MS,
      reconcileIntervalMs: e.ATS_RECONCILE_INTERVAL_MS,
      reconcileWindowDays: e.ATS_RECONCILE_WINDOW_DAYS,
      reconcileBatch: e.ATS_RECONCILE_BATCH,
      webhookSilentAfterMs: e.ATS_WEBHOOK_SILENT_AFTER_MS,
    }),
    sync: syncConfig(e),
    metrics:
      e.METRICS_PORT === null
        ? null
        : Object.freeze({
            host: e.METRICS_HOST,
            port: e.METRICS_PORT,
            maxOperationNames: e.METRICS_MAX_OPERATION_NAMES,
          }),
  });
}

type Env = z.infer<typeof envSchema>;

function graphqlConfig(e: Env): Config['graphql'] {
  return Object.freeze({
    introspection: e.GRAPHQL_INTROSPECTION ?? e.NODE_ENV !== 'production',
    playground: e.GRAPHQL_PLAYGROUND ?? e.NODE_ENV !== 'production',
    includeStacktrace: false as const,
    maxDepth: e.GRAPHQL_MAX_DEPTH,
    maxTokens: e.GRAPHQL_MAX_TOKENS,
    maxCost: e.GRAPHQL_MAX_COST,
    maxNodes: e.GRAPHQL_MAX_NODES,
    timeoutMs: e.GRAPHQL_TIMEOUT_MS,
    executor: e.GRAPHQL_EXECUTOR,
  });
}

/** What callers may do: the token cache, the auth-failure throttle and the per-token rate limit. */
function callerLimits(
  e: Env,
): Pick<Config, 'authCacheTtlMs' | 'readCacheBytes' | 'authFailures' | 'trustProxyHops' | 'rateLimit'> {
  return {
    authCacheTtlMs: e.AUTH_CACHE_TTL_MS,
    readCacheBytes: e.READ_CACHE_MB * 1024 * 1024,
    authFailures: Object.freeze({
      negativeCacheTtlMs: e.AUTH_NEGATIVE_CACHE_TTL_MS,
      limit: e.AUTH_FAILURE_LIMIT,
      windowMs: e.AUTH_FAILURE_WINDOW_MS,
      logIntervalMs: e.AUTH_FAILURE_LOG_INTERVAL_MS,
    }),
    trustProxyHops: e.TRUST_PROXY_HOPS,
    rateLimit:
      e.RATE_LIMIT_REQUESTS === 0
        ? null
        : Object.freeze({ limit: e.RATE_LIMIT_REQUESTS, windowMs: e.RATE_LIMIT_WINDOW_MS }),
  };
}

function syncConfig(e: Env): Config['sync'] {
  return Object.freeze({
    leaseMs: e.WORKER_LEASE_MS,
    pollIntervalMs: e.WORKER_POLL_INTERVAL_MS,
    shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE_MS,
    maxAttempts: e.SYNC_MAX_ATTEMPTS,
    backoffBaseMs: e.SYNC_BACKOFF_BASE_MS,
    backoffCapMs: Math.max(e.SYNC_BACKOFF_CAP_MS, e.SYNC_BACKOFF_BASE_MS),
    perIntegrationConcurrency: e.PINPOINT_MAX_CONCURRENCY,
    requestsPerSecond: e.PINPOINT_REQUESTS_PER_SECOND,
    breakerThreshold: e.BREAKER_THRESHOLD,
    breakerCooldownMs: e.BREAKER_COOLDOWN_MS,
  });
}

function publicUrlOf(explicit: string | undefined, host: string, port: number): string {
  if (explicit && explicit.trim() !== '') return explicit.trim().replace(/\/+$/, '');
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}
