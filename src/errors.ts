// The one error model: every expected failure is an AppError subclass defined here once, with the code
// clients see in `extensions.code` when it is thrown rather than returned as a typed union member.
// graphql/errors.ts registers each class as a schema error type and maps every code in one switch.
import type { PinpointAuthReason } from './domain/types.js';

export type AppErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'SETTINGS_LOCKED'
  | 'INTEGRATION_NOT_CONNECTED'
  | 'PINPOINT_AUTH_FAILED'
  | 'PINPOINT_UNKNOWN_DOMAIN'
  | 'PINPOINT_UNAVAILABLE'
  | 'SERVICE_UNAVAILABLE'
  | 'RATE_LIMITED';

/** An expected failure: a typed result where a mutation lists it, a coded GraphQL error elsewhere. */
export abstract class AppError extends Error {
  abstract readonly code: AppErrorCode;
}

export interface FieldIssue {
  readonly path: readonly string[];
  readonly message: string;
}

/** Input a user can fix; every problem is named with the path of the offending field. */
export class ValidationError extends AppError {
  override readonly name = 'ValidationError';
  readonly code = 'BAD_USER_INPUT';
  constructor(
    message: string,
    readonly fieldErrors: readonly FieldIssue[] = [],
  ) {
    super(message);
  }
}

/** The thing does not exist for this team (another team's id answers the same). */
export class NotFoundError extends AppError {
  override readonly name = 'NotFoundError';
  readonly code = 'NOT_FOUND';
}

/** The team locked sync settings for non-admins. */
export class SettingsLockedError extends AppError {
  override readonly name = 'SettingsLockedError';
  readonly code = 'SETTINGS_LOCKED';
}

/** No valid API token came with the request. */
export class UnauthenticatedError extends AppError {
  override readonly name = 'UnauthenticatedError';
  readonly code = 'UNAUTHENTICATED';
  constructor(message = 'Sign in: send "Authorization: Bearer <token>" with a valid API token.') {
    super(message);
  }
}

/** The viewer's role (or ownership) does not allow this. */
export class ForbiddenError extends AppError {
  override readonly name = 'ForbiddenError';
  readonly code = 'FORBIDDEN';
  constructor(message = 'Only team admins may do this.') {
    super(message);
  }
}

/** Pinpoint is not connected (or its key stopped working) for this team. */
export class IntegrationNotConnectedError extends AppError {
  override readonly name = 'IntegrationNotConnectedError';
  readonly code = 'INTEGRATION_NOT_CONNECTED';
  constructor(message = 'Pinpoint is not connected. A team admin can connect it with activatePinpoint.') {
    super(message);
  }
}

/** Pinpoint refused an API key (unknown, revoked, or lacking a permission). */
export class PinpointAuthError extends AppError {
  override readonly name = 'PinpointAuthError';
  readonly code = 'PINPOINT_AUTH_FAILED';
  constructor(
    readonly reason: PinpointAuthReason,
    message: string,
  ) {
    super(message);
  }
}

/** No Pinpoint account answers at the domain the admin typed. */
export class PinpointUnknownDomainError extends AppError {
  override readonly name = 'PinpointUnknownDomainError';
  readonly code = 'PINPOINT_UNKNOWN_DOMAIN';
  constructor(
    readonly domain: string,
    message: string,
  ) {
    super(message);
  }
}

/** Pinpoint did not answer properly (timeout, outage, an error on its side): retry later. */
export class PinpointUnreachableError extends AppError {
  override readonly name = 'PinpointUnreachableError';
  readonly code = 'PINPOINT_UNAVAILABLE';
}

export const DATABASE_UNAVAILABLE_MESSAGE =
  'The database is briefly unreachable. Retry the request in a moment.';

/** The database connection was lost or refused (failover, restart): retryable. */
export class DatabaseUnavailableError extends AppError {
  override readonly name = 'DatabaseUnavailableError';
  readonly code = 'SERVICE_UNAVAILABLE';
  constructor(readonly lossCode: string | null = null) {
    super(DATABASE_UNAVAILABLE_MESSAGE);
  }
}

/** Too many requests (per API token) or failed sign-ins (per client address): wait, then retry. */
export class RateLimitedError extends AppError {
  override readonly name = 'RateLimitedError';
  readonly code = 'RATE_LIMITED';
  constructor(
    /** Whole seconds until a retry can succeed (the Retry-After header over HTTP). */
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super(message);
  }
}

// A lost or refused database connection (a failover, a restart, an idle reaper) is recognized by
// walking the wrapper chain drizzle and Apollo put around the driver's error.
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

/** Turns zod issues into the field-level errors clients show next to inputs. */
export function issuesToFieldErrors(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  prefix: readonly string[] = [],
): FieldIssue[] {
  return issues.map((i) => ({ path: [...prefix, ...i.path.map((p) => String(p))], message: i.message }));
}
