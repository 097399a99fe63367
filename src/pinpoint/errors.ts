// Typed failures of Pinpoint calls. Callers switch on `kind`; messages are written for humans and
// never contain the API key.

export type PinpointErrorKind =
  | 'INVALID_KEY'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'VALIDATION'
  | 'RATE_LIMITED'
  | 'SERVER'
  | 'BAD_REQUEST'
  | 'NETWORK'
  | 'RESPONSE';

/** Where a failed call was going; the path never carries the query string (it may hold emails). */
export interface PinpointCallInfo {
  readonly method: string;
  readonly path: string;
  /**
   * True only for a write (POST/PUT) that may have reached Pinpoint and been applied. Look the
   * record up again before retrying; never blind-retry a create.
   */
  readonly outcomeUnknown: boolean;
}

export abstract class PinpointError extends Error {
  abstract readonly kind: PinpointErrorKind;
  readonly method: string;
  readonly path: string;
  readonly outcomeUnknown: boolean;
  /** HTTP status Pinpoint answered with; null when no response arrived. */
  readonly status: number | null;

  constructor(message: string, call: PinpointCallInfo, status: number | null, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.method = call.method;
    this.path = call.path;
    this.outcomeUnknown = call.outcomeUnknown;
    this.status = status;
  }
}

/** 401: no key, or Pinpoint does not recognise it. */
export class PinpointInvalidKeyError extends PinpointError {
  readonly kind = 'INVALID_KEY' as const;
}

/** 403: the key lacks a permission, or the API is switched off for the company. */
export class PinpointForbiddenError extends PinpointError {
  readonly kind = 'FORBIDDEN' as const;
}

/** 404: the record (or, on the first call, the company domain) does not exist. */
export class PinpointNotFoundError extends PinpointError {
  readonly kind = 'NOT_FOUND' as const;
}

export interface PinpointFieldError {
  /** Attribute or relationship name, e.g. `phone` from `/data/attributes/phone`; `base` if none. */
  readonly field: string;
  readonly message: string;
}

/** 422: Pinpoint refused the data; `fields` names what to fix. */
export class PinpointValidationError extends PinpointError {
  readonly kind = 'VALIDATION' as const;
  readonly fields: readonly PinpointFieldError[];

  constructor(message: string, call: PinpointCallInfo, fields: readonly PinpointFieldError[]) {
    super(message, call, 422);
    this.fields = fields;
  }
}

/** 429: slow down; wait `retryAfterMs` when Pinpoint said how long, else back off. */
export class PinpointRateLimitedError extends PinpointError {
  readonly kind = 'RATE_LIMITED' as const;
  readonly retryAfterMs: number | null;

  constructor(message: string, call: PinpointCallInfo, retryAfterMs: number | null) {
    super(message, call, 429);
    this.retryAfterMs = retryAfterMs;
  }
}

/** 5xx: Pinpoint trouble; retry with backoff. */
export class PinpointServerError extends PinpointError {
  readonly kind = 'SERVER' as const;
  declare readonly status: number;
}

/** 400 and any other 4xx: the request itself is wrong (our bug); do not retry. */
export class PinpointBadRequestError extends PinpointError {
  readonly kind = 'BAD_REQUEST' as const;
  declare readonly status: number;
}

/** No usable HTTP response: DNS failure, refused, reset, or a timeout. */
export class PinpointNetworkError extends PinpointError {
  readonly kind = 'NETWORK' as const;
  readonly timedOut: boolean;
  readonly dnsFailure: boolean;
  /** Node's error code (`ECONNREFUSED`, `ENOTFOUND`, ...) or `TIMEOUT` / `CONNECT_TIMEOUT`. */
  readonly code: string | null;

  constructor(
    message: string,
    call: PinpointCallInfo,
    details: { timedOut: boolean; dnsFailure: boolean; code: string | null },
    options?: { cause?: unknown },
  ) {
    super(message, call, null, options);
    this.timedOut = details.timedOut;
    this.dnsFailure = details.dnsFailure;
    this.code = details.code;
  }
}

/** A 2xx answer whose body is not what we expect (unparseable JSON or a schema mismatch). */
export class PinpointResponseError extends PinpointError {
  readonly kind = 'RESPONSE' as const;
  declare readonly status: number;
  /** Where the body departed from the schema, as `path: problem` lines (no values). */
  readonly issues: readonly string[];

  constructor(message: string, call: PinpointCallInfo, status: number, issues: readonly string[]) {
    super(message, call, status);
    this.issues = issues;
  }
}

/**
 * A list that had to be read whole (e.g. to be sure no application exists before creating one) has
 * more pages than the client reads. Acting on part of it could create a duplicate.
 */
export class PinpointListTooLongError extends PinpointResponseError {
  constructor(
    call: PinpointCallInfo,
    readonly maxPages: number,
  ) {
    super(
      `Pinpoint has more than ${maxPages} pages of results here, more than can be checked safely.`,
      call,
      200,
      [`more than ${maxPages} pages`],
    );
  }
}

export type AnyPinpointError =
  | PinpointInvalidKeyError
  | PinpointForbiddenError
  | PinpointNotFoundError
  | PinpointValidationError
  | PinpointRateLimitedError
  | PinpointServerError
  | PinpointBadRequestError
  | PinpointNetworkError
  | PinpointResponseError;

export function isPinpointError(error: unknown): error is AnyPinpointError {
  return error instanceof PinpointError;
}
