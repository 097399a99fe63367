// graphql-ws on the HTTP server's port and path: the upgrade (path, Origin allowlist), the
// connection_init authentication, and the same validation rules, limits and error boundary as HTTP.
import type { Server } from 'node:http';
import {
  type ExecutionResult,
  GraphQLError,
  type GraphQLSchema,
  specifiedRules,
  type ValidationRule,
  validate,
} from 'graphql';
import type { ServerOptions } from 'graphql-ws';
import { type Extra, useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { RateLimitStatus } from '../app/context.js';
import { type Context, createContext } from '../context.js';
import { RateLimitedError } from '../errors.js';
import { toOperationError, withoutSyntaxPrefix } from '../graphql/errors.js';
import { collapseBudgetErrors, type guardedWsExecution } from '../graphql/operation-guard.js';
import { sharedFormat } from '../graphql/shared-subscribe.js';
import type { Services } from '../services.js';
import { type Authenticator, throttledMessage } from './auth.js';
import { clientAddress } from './client-address.js';
import { webSocketOriginAllowed } from './cors.js';
import { formatResultErrors } from './error-boundary.js';
import type { Metrics } from './metrics.js';
import { rateLimitedMessage, type TokenRateLimiter } from './rate-limit.js';

export interface WebSocketFront {
  readonly wsServer: WebSocketServer;
  /** Closes every graphql-ws socket (Apollo's drain calls it). */
  dispose(): Promise<void>;
}

type WsExtra = {
  viewer?: Context['viewer'];
  /** Each operation's budget after its charge, by operation id, until its context is built. */
  rateLimits?: Map<string, RateLimitStatus>;
};
type WsOptions = ServerOptions<Record<string, unknown>, Extra & Partial<WsExtra>> & { isProd?: boolean };

/** Accepts upgrades to /graphql from allowed origins while the server is not stopping. */
export function attachWebSocketServer(options: {
  httpServer: Server;
  schema: GraphQLSchema;
  services: Services;
  validationRules: readonly ValidationRule[];
  execution: ReturnType<typeof guardedWsExecution>;
  authenticate: Authenticator['authenticate'];
  limiter: TokenRateLimiter | null;
  metrics?: Metrics | null;
  isStopping: () => boolean;
}): WebSocketFront {
  const { httpServer, services } = options;
  const wsServer = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  httpServer.on('upgrade', (req, socket, head) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    if (pathname !== '/graphql' || options.isStopping()) {
      socket.destroy();
      return;
    }
    if (!webSocketOriginAllowed(req, services.config.corsOrigins)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wsServer.handleUpgrade(req, socket, head, (ws) => wsServer.emit('connection', ws, req));
  });
  const cleanup = useServer<Record<string, unknown>, WsExtra>(graphqlWsHooks(options), wsServer);
  return { wsServer, dispose: async () => cleanup.dispose() };
}

/** The graphql-ws server options: authentication at connection_init, validation, execution, formatting. */
function graphqlWsHooks(options: Parameters<typeof attachWebSocketServer>[0]): WsOptions {
  const { schema, services, validationRules, execution, authenticate, limiter } = options;
  const { logger, database } = services;
  const instrument = options.metrics?.instrumentWebSocket ?? (<T>(hooks: T) => hooks);
  const hooks: WsOptions = {
    schema,
    isProd: true,
    onConnect: async (ctx) => {
      const address = clientAddress(ctx.extra.request, services.config.trustProxyHops);
      const outcome = await authenticate(ctx.connectionParams?.authorization, address);
      // graphql-ws's own code for "too many initialisation requests"; the reason says when to retry.
      if (outcome.kind === 'throttled') ctx.extra.socket.close(4429, throttledMessage(outcome));
      if (outcome.kind !== 'viewer') return false; // closes with 4403 Forbidden
      ctx.extra.viewer = outcome.viewer;
      return true;
    },
    // Every operation costs 1 of the token's budget; over it, the operation gets RATE_LIMITED.
    onSubscribe: (ctx, id) => {
      const viewer = ctx.extra.viewer;
      if (!viewer || !limiter) return;
      const charge = limiter.charge(viewer.tokenId);
      if (charge.retryAfterSeconds > 0) {
        return [toOperationError(new RateLimitedError(charge.retryAfterSeconds, rateLimitedMessage(charge)))];
      }
      ctx.extra.rateLimits ??= new Map();
      ctx.extra.rateLimits.set(id, charge.status);
    },
    context: (ctx, id) => {
      const rateLimit = ctx.extra.rateLimits?.get(id) ?? null;
      ctx.extra.rateLimits?.delete(id);
      return createContext({ viewer: ctx.extra.viewer ?? null, rateLimit, db: database.db, services });
    },
    // An operation refused by parse or validation never reaches `context`: drop its charge here, so a
    // long-lived socket does not keep one entry per refused operation.
    onError: (ctx, id) => {
      ctx.extra.rateLimits?.delete(id);
    },
    // Limit refusals read as limits over WebSocket too (graphql-ws sends these without formatError).
    validate: (s, document) =>
      validate(s, document, [...specifiedRules, ...validationRules]).map(limitWorded),
    execute: execution.execute,
    subscribe: execution.subscribe,
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
        const cost = execution.costOf(args.contextValue);
        return cost ? { ...formatted, extensions: { ...formatted.extensions, cost } } : formatted;
      }),
  };
  return instrument(hooks);
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
