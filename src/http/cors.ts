// Browser rules from CORS_ORIGINS: the `cors` middleware answers preflights and echoes an allowed
// Origin (never `*`), and the same allowlist guards WebSocket upgrades that carry an Origin.
import type { IncomingMessage } from 'node:http';
import cors from 'cors';
import type express from 'express';

/** Headers a browser client may send: auth, JSON, Apollo's CSRF opt-in, and a correlation id. */
const ALLOWED_HEADERS = ['authorization', 'content-type', 'apollo-require-preflight', 'x-request-id'];
const EXPOSED_HEADERS = [
  'x-request-id',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'Retry-After',
];
/** How long (seconds) a browser may reuse a preflight answer. */
const PREFLIGHT_MAX_AGE_S = 600;

export function corsMiddleware(origins: readonly string[]): express.RequestHandler {
  const allowed = new Set(origins);
  const handler = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ALLOWED_HEADERS,
    // Scripts may read the correlation id and the rate limit (RateLimit-*, Retry-After on a 429).
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: PREFLIGHT_MAX_AGE_S,
    credentials: false, // bearer tokens, never cookies
  });
  // `cors` skips refused origins entirely; every answer still varies by Origin, so a shared cache
  // never serves a refused origin's answer to an allowed one (or the reverse).
  return (req, res, next) => {
    res.vary('Origin');
    // Without an Origin (servers, scripts, the extension's background worker) `cors` adds nothing.
    if (req.headers.origin === undefined) next();
    else handler(req, res, next);
  };
}

/**
 * A WebSocket upgrade may proceed when it has no Origin (a non-browser client), comes from the
 * server's own origin (the Playground), or from an allowed origin.
 */
export function webSocketOriginAllowed(req: IncomingMessage, origins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (origins.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
