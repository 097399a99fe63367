// Assembles the HTTP and WebSocket front: Express 5 + Apollo Server 5 on /graphql, graphql-ws on the
// same port and path, health and readiness probes, and an orderly stop.

import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import express from 'express';
import {
  type ExecutionResult,
  type GraphQLSchema,
  NoSchemaIntrospectionCustomRule,
  type ValidationRule,
} from 'graphql';
import { openReadCache } from '../app/read-cache.js';
import type { Config } from '../config.js';
import { type Context, createContext } from '../context.js';
import { DatabaseUnavailableError, isConnectionLoss, UnauthenticatedError } from '../errors.js';
import { toGraphQLError } from '../graphql/errors.js';
import { SLICE_MS } from '../graphql/execution-budget.js';
import { apolloGateway, createExecutor } from '../graphql/executor.js';
import {
  guardedWsExecution,
  type OperationLimits,
  operationGuardPlugin,
} from '../graphql/operation-guard.js';
import { type CachedExecution, cachedExecution } from '../graphql/read-cache.js';
import type { Services } from '../services.js';
import { type Authenticator, createAuthenticator } from './auth.js';
import { authGate, type GateResult } from './auth-gate.js';
import { createFailureThrottle } from './auth-throttle.js';
import { corsMiddleware } from './cors.js';
import { apolloFormatError, formatContextError, formatResultErrors } from './error-boundary.js';
import type { Metrics } from './metrics.js';
import { playgroundRouter } from './playground.js';
import { createTokenRateLimiter, type TokenRateLimiter } from './rate-limit.js';
import { requestLogPlugin } from './request-log.js';
import { webhookRouter } from './webhooks.js';
import { attachWebSocketServer, type WebSocketFront } from './websocket.js';

export interface HttpApp {
  readonly httpServer: Server;
  readonly url: string;
  readonly port: number;
  /** Stops accepting, lets in-flight requests finish, closes sockets. Does not close the database. */
  stop(): Promise<void>;
}

/** A client's x-request-id is kept only when it looks like an id; anything else gets a fresh uuid. */
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

interface HttpAppOptions {
  schema: GraphQLSchema;
  services: Services;
  host?: string;
  port?: number;
  /** Instruments requests and WebSockets when metrics are on (the listener is the caller's). */
  metrics?: Metrics | null;
}

export async function startHttpApp(options: HttpAppOptions): Promise<HttpApp> {
  const { config, logger, database, events } = options.services;
  const authenticator = await createAuthenticator({
    db: database.db,
    events,
    ttlMs: config.authCacheTtlMs,
    negativeTtlMs: config.authFailures.negativeCacheTtlMs,
    throttle: createFailureThrottle({ ...config.authFailures, logger }),
  });
  const reads = await openReads(options.services);
  if (reads) options.metrics?.watchReadCache(reads.cache);
  try {
    return await serveHttp(options, authenticator, reads);
  } catch (error) {
    authenticator.close();
    await reads?.cache.close(); // its connection would keep the process alive
    throw error;
  }
}

async function serveHttp(
  options: HttpAppOptions,
  authenticator: Authenticator,
  reads: CachedExecution | null,
): Promise<HttpApp> {
  const { schema, services } = options;
  const { config, logger, database } = services;
  const app = express();
  app.disable('x-powered-by');
  // No ETag hashed over every answer (a dashboard is ~85 KB): GraphQL answers are not cached by
  // validators; the Playground's assets set their own content-hash ETag, which still answers 304.
  app.set('etag', false);
  const httpServer = createServer(app);
  let stopping = false;

  const protection = armorProtection(config);
  const limits: OperationLimits = {
    maxCost: config.graphql.maxCost,
    maxNodes: config.graphql.maxNodes,
    timeoutMs: config.graphql.timeoutMs,
    // PostgreSQL: an operation pauses for a turn of the loop every SLICE_MS of its own work.
    sliceMs: database.driver === 'postgres' ? SLICE_MS : 0,
  };
  const executor = createExecutor(schema, {
    kind: config.graphql.executor,
    onFallback: (err) => logger.warn({ err }, 'graphql-jit cannot compile a document; graphql-js runs it'),
  });
  const limiter = config.rateLimit ? createTokenRateLimiter(config.rateLimit) : null;
  const ws = attachWebSocketServer({
    httpServer,
    schema,
    services,
    validationRules: protection.validationRules,
    execution: guardedWsExecution(schema, limits, executor),
    authenticate: authenticator.authenticate,
    limiter,
    metrics: options.metrics,
    isStopping: () => stopping,
  });
  const apollo = createApollo({ ...options, executor, reads, httpServer, protection, limits, ws });
  await apollo.start();

  app.use(corsMiddleware(config.corsOrigins));
  app.use(healthRouter(database, () => stopping));
  app.use(webhookRouter(services));
  if (config.graphql.playground) app.use(playgroundRouter({ path: '/graphql' }));
  app.use('/graphql', ...graphqlHandlers(apollo, authenticator.authenticate, limiter, services));
  app.use(bodyErrorHandler(config.bodyLimit, logger));

  const host = options.host ?? config.host;
  const port = await listen(httpServer, options.port ?? config.port, host);
  const displayHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return {
    httpServer,
    port,
    url: `http://${displayHost}:${port}`,
    async stop() {
      stopping = true;
      try {
        await apollo.stop(); // drains HTTP (in-flight requests finish) and the WebSocket server
      } finally {
        ws.wsServer.close();
        authenticator.close();
        await reads?.cache.close();
      }
    },
  };
}

/** The read cache (src/app/read-cache.ts) unless READ_CACHE_MB is 0. */
async function openReads(services: Services): Promise<CachedExecution | null> {
  const { config, database, logger } = services;
  if (config.readCacheBytes === 0) return null;
  return cachedExecution(
    await openReadCache<ExecutionResult>(database, { maxBytes: config.readCacheBytes, logger }),
  );
}

interface Protection {
  readonly validationRules: ValidationRule[];
  readonly plugins: ApolloServerPlugin<Context>[];
}

/** graphql-armor's depth, alias and directive limits, and introspection off when configured so. */
function armorProtection(config: Config): Protection {
  const armor = new ApolloArmor({
    maxTokens: { enabled: false }, // turns syntax errors into 500s; Apollo's parseOptions.maxTokens instead
    maxDepth: { n: config.graphql.maxDepth },
    // Armor's cost grows with depth alone (page sizes are ignored), so the app's own 20 × 20 page
    // scores ~110k. src/graphql/cost.ts multiplies page sizes instead (operationGuardPlugin).
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: !config.graphql.introspection },
  });
  const protection = armor.protect();
  return {
    validationRules: [
      ...(protection.validationRules as ValidationRule[]),
      ...(config.graphql.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
    ],
    plugins: protection.plugins as ApolloServerPlugin<Context>[],
  };
}

/** Apollo Server over the shared executor, with the guard, request log, metrics and drain plugins. */
function createApollo(options: {
  schema: GraphQLSchema;
  services: Services;
  executor: ReturnType<typeof createExecutor>;
  reads: CachedExecution | null;
  httpServer: Server;
  protection: Protection;
  limits: OperationLimits;
  ws: WebSocketFront;
  metrics?: Metrics | null;
}): ApolloServer<Context> {
  const { schema, executor, httpServer, protection, ws } = options;
  const { config, logger } = options.services;
  const plugins: ApolloServerPlugin<Context>[] = [
    ...protection.plugins,
    operationGuardPlugin<Context>(schema, options.limits),
    requestLogPlugin(),
    ...(options.metrics ? [options.metrics.apolloPlugin() as ApolloServerPlugin<Context>] : []),
    ApolloServerPluginDrainHttpServer({ httpServer }),
    ApolloServerPluginLandingPageDisabled(),
    // Both wrap every resolver (willResolveField); no cache hints or traces are used.
    ApolloServerPluginCacheControlDisabled(),
    ApolloServerPluginInlineTraceDisabled(),
    { serverWillStart: async () => ({ drainServer: () => ws.dispose() }) },
  ];
  return new ApolloServer<Context>({
    // Execution errors are formatted here, where the context (request id, request log) is at hand.
    gateway: apolloGateway<Context>(
      schema,
      executor,
      (result, context) => formatResultErrors(result, context.log, context.requestId, { pathless: false }),
      options.reads,
    ),
    plugins,
    validationRules: protection.validationRules,
    introspection: config.graphql.introspection,
    includeStacktraceInErrorResponses: config.graphql.includeStacktrace,
    allowBatchedHttpRequests: false,
    // server.ts owns SIGTERM/SIGINT; Apollo's own handlers would race it and stall the drain.
    stopOnTerminationSignals: false,
    parseOptions: { maxTokens: config.graphql.maxTokens },
    formatError: apolloFormatError(logger),
    logger: {
      debug: (m) => logger.debug(m),
      info: (m) => logger.info(m),
      warn: (m) => logger.warn(m),
      error: (m) => logger.error(m),
    },
  });
}

/** GET /healthz (the process answers) and GET /readyz (not stopping, and the database answers). */
function healthRouter(database: Services['database'], isStopping: () => boolean): express.Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const stopping = isStopping();
    const ok = !stopping && (await database.ping());
    res
      .status(ok ? 200 : 503)
      .json({ status: ok ? 'ready' : stopping ? 'stopping' : 'database unreachable' });
  });
  return router;
}

/** The /graphql chain: request id, authentication and rate limit, JSON body, then Apollo. */
function graphqlHandlers(
  apollo: ApolloServer<Context>,
  authenticate: Authenticator['authenticate'],
  limiter: TokenRateLimiter | null,
  services: Services,
): express.RequestHandler[] {
  const { config, logger, database } = services;
  const requestIdHandler: express.RequestHandler = (req, res, next) => {
    const incoming = req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    next();
  };
  const context = async ({ res }: { res: express.Response }) => {
    const requestId = res.locals.requestId as string;
    const auth = res.locals.auth as GateResult;
    if ('error' in auth) {
      throw isConnectionLoss(auth.error)
        ? toGraphQLError(new DatabaseUnavailableError(), auth.error)
        : formatContextError(auth.error, logger, requestId);
    }
    if (auth.outcome.kind === 'rejected') {
      throw toGraphQLError(
        new UnauthenticatedError(
          'The API token is malformed, unknown or revoked. Send "Authorization: Bearer <token>" with a valid token.',
        ),
      );
    }
    const viewer = auth.outcome.kind === 'viewer' ? auth.outcome.viewer : null;
    return createContext({ viewer, rateLimit: auth.rateLimit, db: database.db, services, requestId });
  };
  return [
    requestIdHandler,
    authGate({ authenticate, limiter, trustProxyHops: config.trustProxyHops }),
    express.json({
      limit: config.bodyLimit,
      type: ['application/json', 'application/graphql-response+json'],
    }),
    expressMiddleware(apollo, { context }),
  ];
}

/** Body-parser failures (too large, malformed JSON) answer JSON, never an HTML stack page. */
function bodyErrorHandler(bodyLimit: string, logger: Services['logger']): express.ErrorRequestHandler {
  return (err, _req, res, next) => {
    if (res.headersSent) return next(err);
    const status = (err as { status?: number }).status ?? 500;
    const code =
      status === 413 ? 'PAYLOAD_TOO_LARGE' : status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR';
    if (status >= 500) logger.error({ err }, 'unexpected HTTP error');
    const message =
      status === 413
        ? `Request body too large (limit ${bodyLimit}).`
        : status < 500
          ? 'Malformed request body: expected JSON.'
          : 'Internal server error.';
    res.status(status).json({ errors: [{ message, extensions: { code } }] });
  };
}

function listen(httpServer: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => resolve((httpServer.address() as AddressInfo).port));
  });
}
