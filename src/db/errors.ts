// Recognizes a lost or refused database connection (a failover, a restart, an idle reaper), so
// callers can answer "retry" instead of "internal error". Walks the wrapper chain drizzle and
// Apollo put around the driver's error.

/** postgres.js connection codes and the socket errno codes a dropped connection surfaces as. */
const CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
/** admin_shutdown, crash_shutdown, cannot_connect_now (SQLSTATE class 57P). */
const SHUTDOWN_SQLSTATES = new Set(['57P01', '57P02', '57P03']);
/** SQLSTATE class 08: connection exception. */
const CONNECTION_EXCEPTION = /^08[0-9A-Z]{3}$/;

/** The connection-loss code found in `error` or its causes, or null when it is something else. */
export function connectionLossCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current !== null && typeof current === 'object'; depth++) {
    const { code } = current as { code?: unknown };
    if (typeof code === 'string') {
      if (CONNECTION_CODES.has(code) || SHUTDOWN_SQLSTATES.has(code) || CONNECTION_EXCEPTION.test(code)) {
        return code;
      }
    }
    const next = current as { cause?: unknown; originalError?: unknown };
    current = next.cause ?? next.originalError;
  }
  return null;
}

export function isConnectionLoss(error: unknown): boolean {
  return connectionLossCode(error) !== null;
}

export const DATABASE_UNAVAILABLE_MESSAGE =
  'The database is briefly unreachable. Retry the request in a moment.';
