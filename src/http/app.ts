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
  GraphQLError,
  type GraphQLSchema,
  NoSchemaIntrospectionCustomRule,
  specifiedRules,
  type ValidationRule,
  validate,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { type Context, createContext } from '../context.js';
import { DatabaseUnavailableError, isConnectionLoss, UnauthenticatedError } from '../errors.js';
import { toGraphQLError, withoutSyntaxPrefix } from '../graphql/errors.js';
import { apolloGateway, createExecutor } from '../graphql/executor.js';
import {
  collapseBudgetErrors,
  guardedWsExecution,
  type OperationLimits,
  operationGuardPlugin,
} from '../graphql/operation-guard.js';
import { sharedFormat } from '../graphql/shared-subscribe.js';
import type { Services } from '../services.js';
import { createAuthenticator } from './auth.js';
import { corsMiddleware, webSocketOriginAllowed } from './cors.js';
import { apolloFormatError, formatContextError, formatResultErrors } from './error-boundary.js';
import type { Metrics } from './metrics.js';
import { playgroundRouter } from './playground.js';
import { requestLogPlugin } from './request-log.js';
import { webhookRouter } from './webhooks.js';

export interface HttpApp {
  readonly httpServer: Server;
  readonly url: string;
  readonly port: number;
  /** Stops accepting, lets in-flight requests finish, closes sockets. Does not close the database. */
  stop(): Promise<void>;
}

/** A client's x-request-id is kept only when it looks like an id; anything else gets a fresh uuid. */
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export async function startHttpApp(options: {
  schema: GraphQLSchema;
  services: Services;
  host?: string;
  port?: number;
  /** Instruments requests and WebSockets when metrics are on (the listener is the caller's). */
  metrics?: Metrics | null;
}): Promise<HttpApp> {
  const { schema, services } = options;
  const { config, logger, database } = services;
  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  let stopping = false;

  const armor = new ApolloArmor({
    maxTokens: { enabled: false }, // turns syntax errors into 500s; Apollo's parseOptions.maxTokens instead
    maxDepth: { n: config.graphql.maxDepth },
    // Armor's cost grows with depth alone (page sizes are ignored), so the app's own 20 × 20 page
    // scores ~110k. src/graphql/cost.ts multiplies page sizes instead (operationGuardPlugin).
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: !config.graphql.introspection },
  });
  const protection = armor.protect();
  const validationRules: ValidationRule[] = [
    ...(protection.validationRules as ValidationRule[]),
    ...(config.graphql.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
  ];

  const limits: OperationLimits = {
    maxCost: config.graphql.maxCost,
    maxNodes: config.graphql.maxNodes,
    timeoutMs: config.graphql.timeoutMs,
  };
  const { authenticate, close: closeAuthenticator } = await createAuthenticator({
    db: database.db,
    events: services.events,
    ttlMs: config.authCacheTtlMs,
  });
  const executor = createExecutor(schema, {
    kind: config.graphql.executor,
    onFallback: (err) => logger.warn({ err }, 'graphql-jit cannot compile a document; graphql-js runs it'),
  });
  const wsExecution = guardedWsExecution(schema, limits, executor);

  const wsServer = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  httpServer.on('upgrade', (req, socket, head) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    if (pathname !== '/graphql' || stopping) {
      socket.destroy();
      return;
    }
    if (!webSocketOriginAllowed(req, config.corsOrigins)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wsServer.handleUpgrade(req, socket, head, (ws) => wsServer.emit('connection', ws, req));
  });

  type WsExtra = { viewer?: Context['viewer'] };
  const instrument = options.metrics?.instrumentWebSocket ?? (<T>(hooks: T) => hooks);
  const wsCleanup = useServer<Record<string, unknown>, WsExtra>(
    instrument({
      schema,
      isProd: true,
      onConnect: async (ctx) => {
        const outcome = await authenticate(ctx.connectionParams?.authorization);
        if (outcome.kind !== 'viewer') return false; // closes with 4403 Forbidden
        ctx.extra.viewer = outcome.viewer;
        return true;
      },
      context: (ctx) => createContext({ viewer: ctx.extra.viewer ?? null, db: database.db, services }),
      // Limit refusals read as limits over WebSocket too (graphql-ws sends these without formatError).
      validate: (s, document) =>
        validate(s, document, [...specifiedRules, ...validationRules]).map(limitWorded),
      execute: wsExecution.execute,
      subscribe: wsExecution.subscribe,
      // A result shared by a group of subscribers (graphql/shared-subscribe.ts) is formatted once.
      onNext: (_ctx, _id, _payload, args, result) =>
        sharedFormat(result as ExecutionResult, (raw) => {
          const context = args.contextValue as Context | undefined;
          const formatted = formatResultErrors(
            raw.errors ? { ...raw, errors: collapseBudgetErrors(raw.errors) } : raw,
            context?.log ?? logger,
            context?.requestId,
            { pathless: true },
          );
          const cost = wsExecution.costOf(args.contextValue);
          return cost ? { ...formatted, extensions: { ...formatted.extensions, cost } } : formatted;
        }),
    }),
    wsServer,
  );

  const plugins: ApolloServerPlugin<Context>[] = [
    ...(protection.plugins as ApolloServerPlugin<Context>[]),
    operationGuardPlugin<Context>(schema, limits),
    requestLogPlugin(),
    ...(options.metrics ? [options.metrics.apolloPlugin() as ApolloServerPlugin<Context>] : []),
    ApolloServerPluginDrainHttpServer({ httpServer }),
    ApolloServerPluginLandingPageDisabled(),
    // Both wrap every resolver (willResolveField); no cache hints or traces are used.
    ApolloServerPluginCacheControlDisabled(),
    ApolloServerPluginInlineTraceDisabled(),
    {
      async serverWillStart() {
        return {
          async drainServer() {
            await wsCleanup.dispose();
          },
        };
      },
    },
  ];
  const apollo = new ApolloServer<Context>({
    // Execution errors are formatted here, where the context (request id, request log) is at hand.
    gateway: apolloGateway<Context>(schema, executor, (result, context) =>
      formatResultErrors(result, context.log, context.requestId, { pathless: false }),
    ),
    plugins,
    validationRules,
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
  await apollo.start();

  app.use(corsMiddleware(config.corsOrigins));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ok = !stopping && (await database.ping());
    res
      .status(ok ? 200 : 503)
      .json({ status: ok ? 'ready' : stopping ? 'stopping' : 'database unreachable' });
  });
  app.use(webhookRouter(services));
  if (config.graphql.playground) app.use(playgroundRouter({ path: '/graphql' }));
  app.use(
    '/graphql',
    (req, res, next) => {
      const incoming = req.header('x-request-id');
      const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      res.locals.requestId = requestId;
      res.setHeader('x-request-id', requestId);
      next();
    },
    express.json({
      limit: config.bodyLimit,
      type: ['application/json', 'application/graphql-response+json'],
    }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const requestId = res.locals.requestId as string;
        const outcome = await authenticate(req.headers.authorization).catch((error) => {
          throw isConnectionLoss(error)
            ? toGraphQLError(new DatabaseUnavailableError(), error)
            : formatContextError(error, logger, requestId);
        });
        if (outcome.kind === 'rejected') {
          throw toGraphQLError(
            new UnauthenticatedError(
              'The API token is malformed, unknown or revoked. Send "Authorization: Bearer <token>" with a valid token.',
            ),
          );
        }
        const context = createContext({
          viewer: outcome.kind === 'viewer' ? outcome.viewer : null,
          db: database.db,
          services,
          requestId,
        });
        return context;
      },
    }),
  );
  // Body-parser failures (too large, malformed JSON) answer JSON, never an HTML stack page.
  app.use((err: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(err);
    const status = (err as { status?: number }).status ?? 500;
    const code =
      status === 413 ? 'PAYLOAD_TOO_LARGE' : status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR';
    if (status >= 500) logger.error({ err }, 'unexpected HTTP error');
    const message =
      status === 413
        ? `Request body too large (limit ${config.bodyLimit}).`
        : status < 500
          ? 'Malformed request body: expected JSON.'
          : 'Internal server error.';
    res.status(status).json({ errors: [{ message, extensions: { code } }] });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? config.port, options.host ?? config.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const host = options.host ?? config.host;
  const displayHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;

  return {
    httpServer,
    port,
    url: `http://${displayHost}:${port}`,
    async stop() {
      stopping = true;
      await apollo.stop(); // drains HTTP (in-flight requests finish) and the WebSocket server
      wsServer.close();
      closeAuthenticator();
    },
  };
}

/** A validation error whose graphql-armor message starts with "Syntax Error:", worded as the limit it is. */
function limitWorded(error: GraphQLError): GraphQLError {
  const message = withoutSyntaxPrefix(error.message);
  if (message === error.message) return error;
  return new GraphQLError(message, {
    ...(error.nodes ? { nodes: error.nodes } : {}),
    ...(error.source ? { source: error.source } : {}),
    ...(error.positions ? { positions: error.positions } : {}),
    extensions: error.extensions,
  });
}
