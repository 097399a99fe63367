// Every expected failure of src/errors.ts as a schema error type (each implements `Error`), and the one
// boundary that turns thrown errors into GraphQL errors: an AppError's code passes through one
// exhaustive switch (UNAUTHENTICATED, FORBIDDEN, SERVICE_UNAVAILABLE and RATE_LIMITED are never typed results), request errors keep Apollo's code, everything else is masked and logged.
import { unwrapResolverError } from '@apollo/server/errors';
import { PothosValidationError } from '@pothos/core';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { PINPOINT_AUTH_REASONS } from '../domain/types.js';
import {
  AppError,
  type AppErrorCode,
  connectionLossCode,
  DatabaseUnavailableError,
  type FieldIssue,
  IntegrationNotConnectedError,
  NotFoundError,
  PinpointAuthError,
  PinpointUnknownDomainError,
  PinpointUnreachableError,
  RateLimitedError,
  SettingsLockedError,
  ValidationError,
} from '../errors.js';
import type { Logger } from '../logger.js';
import { builder } from './builder.js';
import { BUDGET_ERROR_CODES } from './execution-budget.js';
import { vocabularyEnum } from './vocabulary.js';

export const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  description: 'Implemented by every expected failure a mutation can return in its `…Result` union.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'What went wrong, in words to show the user.' }),
  }),
});

const FieldErrorRef = builder.objectRef<FieldIssue>('FieldError').implement({
  description: 'One problem with one input field.',
  fields: (t) => ({
    path: t.stringList({
      description:
        'Path of the field within the mutation arguments, e.g. `["input", "contacts", "3", "email"]`.',
      resolve: (issue) => [...issue.path],
    }),
    message: t.exposeString('message', {
      description: 'What is wrong with the value, to show next to the field.',
    }),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'The input was invalid; nothing was changed. `fieldErrors` names each offending field.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ValidationError,
  fields: (t) => ({
    fieldErrors: t.field({
      type: [FieldErrorRef],
      description: 'Every problem found, one per field (all are reported at once).',
      resolve: (e) => [...e.fieldErrors],
    }),
  }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'The object does not exist in your team (ids of other teams answer the same).',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof NotFoundError,
});

builder.objectType(SettingsLockedError, {
  name: 'SettingsLockedError',
  description: 'A team admin locked sync settings for non-admins; ask an admin to change them.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof SettingsLockedError,
});

export const authReasonDescriptions = {
  INVALID_API_KEY: 'Pinpoint answered 401: the key is unknown or was revoked.',
  FORBIDDEN: 'Pinpoint answered 403: the key lacks a permission we need, or the API is disabled.',
} as const;

export const PinpointAuthReasonEnum = vocabularyEnum('PinpointAuthReason', {
  description: 'Why Pinpoint refused an API key.',
  values: PINPOINT_AUTH_REASONS,
  describe: authReasonDescriptions,
});

builder.objectType(PinpointAuthError, {
  name: 'PinpointAuthError',
  description: 'Pinpoint refused the API key. `reason` says whether it is unknown or lacks permissions.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof PinpointAuthError,
  fields: (t) => ({
    reason: t.field({
      type: PinpointAuthReasonEnum,
      resolve: (e) => e.reason,
      description:
        '`INVALID_API_KEY` (401: unknown or revoked key) or `FORBIDDEN` (403: the key lacks a permission or the API is disabled).',
    }),
  }),
});

builder.objectType(PinpointUnknownDomainError, {
  name: 'PinpointUnknownDomainError',
  description: 'No Pinpoint account answers at this domain; check the Domain box.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof PinpointUnknownDomainError,
  fields: (t) => ({
    // Nullable only so that it merges with `Integration.domain` in one selection of the result union.
    domain: t.exposeString('domain', {
      nullable: true,
      description: 'The normalised domain that was tried, e.g. `acme` (never null here).',
    }),
  }),
});

builder.objectType(PinpointUnreachableError, {
  name: 'PinpointUnreachableError',
  description:
    'Pinpoint did not answer (timeout, outage or an error on its side). Nothing was stored; try again.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof PinpointUnreachableError,
});

builder.objectType(IntegrationNotConnectedError, {
  name: 'IntegrationNotConnectedError',
  description: 'Pinpoint is not connected for this team; an admin can connect it with `activatePinpoint`.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof IntegrationNotConnectedError,
});

interface CodeMapping {
  /** HTTP status when the error ends the request before execution (context creation). */
  readonly status: number;
  /** True when the same request may succeed if sent again later. */
  readonly retryable: boolean;
}

/** How each code reaches clients; the switch must stay exhaustive. */
function mappingFor(code: AppErrorCode): CodeMapping {
  switch (code) {
    case 'UNAUTHENTICATED':
      return { status: 401, retryable: false };
    case 'FORBIDDEN':
    case 'SETTINGS_LOCKED':
      return { status: 403, retryable: false };
    case 'NOT_FOUND':
      return { status: 404, retryable: false };
    case 'BAD_USER_INPUT':
      return { status: 400, retryable: false };
    // The request was fine; the team's Pinpoint connection is not. GraphQL answers 200 with the error.
    case 'INTEGRATION_NOT_CONNECTED':
    case 'PINPOINT_AUTH_FAILED':
    case 'PINPOINT_UNKNOWN_DOMAIN':
      return { status: 200, retryable: false };
    case 'PINPOINT_UNAVAILABLE':
      return { status: 200, retryable: true };
    case 'SERVICE_UNAVAILABLE':
      return { status: 503, retryable: true };
    // Over a rate limit: 429 with Retry-After; the same request succeeds once the window resets.
    case 'RATE_LIMITED':
      return { status: 429, retryable: true };
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

function extensionsOf(error: AppError, requestId?: string): Record<string, unknown> {
  const { retryable } = mappingFor(error.code);
  return {
    code: error.code,
    ...(retryable && { retryable: true }),
    ...(error instanceof DatabaseUnavailableError && requestId !== undefined && { requestId }),
    ...(error instanceof RateLimitedError && { retryAfter: error.retryAfterSeconds }),
  };
}

/**
 * For failures where no GraphQL execution runs yet (context creation): carries the HTTP status, and
 * a rate limit's Retry-After header.
 */
export function toGraphQLError(error: AppError, cause?: unknown): GraphQLError {
  const headers =
    error instanceof RateLimitedError
      ? { headers: new Map([['retry-after', String(error.retryAfterSeconds)]]) }
      : {};
  return new GraphQLError(error.message, {
    originalError: cause instanceof Error ? cause : undefined,
    extensions: { ...extensionsOf(error), http: { status: mappingFor(error.code).status, ...headers } },
  });
}

/** A whole HTTP answer for a request refused before GraphQL runs (a rate limit). */
export function errorResponse(error: AppError): {
  status: number;
  body: { errors: { message: string; extensions: Record<string, unknown> }[] };
} {
  return {
    status: mappingFor(error.code).status,
    body: { errors: [{ message: error.message, extensions: extensionsOf(error) }] },
  };
}

/** The same error without HTTP details, for a WebSocket operation refused before it runs. */
export function toOperationError(error: AppError): GraphQLError {
  return new GraphQLError(error.message, { extensions: extensionsOf(error) });
}

/** Codes Apollo itself assigns to request errors (parse, validation, bad variables): safe to pass. */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'QUERY_TOO_COMPLEX',
  'RATE_LIMITED',
]);

function httpStatusOf(error: GraphQLError): number | undefined {
  const http = error.extensions.http as { status?: number } | undefined;
  return http?.status;
}

/** Extensions a request or budget error may carry to the client besides its code. */
const PUBLIC_EXTENSIONS = ['cost', 'limit', 'argumentPath', 'retryable', 'retryAfter'] as const;

function publicExtensions(extensions: Record<string, unknown> | undefined): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const key of PUBLIC_EXTENSIONS) if (extensions?.[key] !== undefined) kept[key] = extensions[key];
  return kept;
}

/** graphql-armor words its depth, alias, directive and token limits as "Syntax Error: …". */
const ARMOR_LIMIT = /^Syntax Error: (?=(Query depth|Aliases|Directives|Token|Query Cost) limit )/;

/** A limit refusal reads as the limit it is; real syntax errors keep graphql-js's wording. */
export function withoutSyntaxPrefix(message: string): string {
  return message.replace(ARMOR_LIMIT, '');
}

/**
 * The one boundary for thrown errors. AppErrors keep their code; GraphQL request errors keep theirs;
 * a lost database connection is a retryable SERVICE_UNAVAILABLE; anything else becomes
 * INTERNAL_SERVER_ERROR with a generic message and the request id, its detail in the log only.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  log: Logger,
  requestId: string | undefined,
): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const base = { locations: formatted.locations, path: formatted.path };
  const known = appErrorOf(original, error, log, formatted, requestId);
  if (known) return { ...base, message: known.message, extensions: extensionsOf(known, requestId) };
  // Request errors (parse, validation, variable coercion) have no path and carry Apollo's code.
  const code = formatted.extensions?.code;
  if (formatted.path === undefined && typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) {
    return {
      ...base,
      message: withoutSyntaxPrefix(formatted.message),
      extensions: { code, ...publicExtensions(formatted.extensions) },
    };
  }
  // graphql-js's own request limits ("Too many errors processing variables") carry no code; they are
  // about the request, never internal.
  if (
    formatted.path === undefined &&
    original instanceof GraphQLError &&
    !original.originalError &&
    code === 'INTERNAL_SERVER_ERROR' &&
    /^Too many errors/.test(original.message)
  ) {
    return { ...base, message: formatted.message, extensions: { code: 'BAD_USER_INPUT' } };
  }
  // Apollo refuses some requests with a 400 and no code (an APQ hash that does not match its query).
  if (formatted.path === undefined && original instanceof GraphQLError && httpStatusOf(original) === 400) {
    return { ...base, message: formatted.message, extensions: { code: 'BAD_REQUEST' } };
  }
  // The execution budget stops a running operation with its own codes (see execution-budget.ts).
  if (original instanceof GraphQLError && typeof code === 'string' && BUDGET_ERROR_CODES.has(code)) {
    return {
      ...base,
      message: formatted.message,
      extensions: { code, ...publicExtensions(formatted.extensions) },
    };
  }
  log.error(
    { err: original, path: formatted.path, requestId },
    'unexpected error while executing a GraphQL operation',
  );
  return {
    ...base,
    message: `Internal server error. Quote request id ${requestId ?? 'unknown'} when reporting it.`,
    extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
  };
}

/** The expected failure a thrown value stands for, or null when it is unexpected. */
function appErrorOf(
  original: unknown,
  error: unknown,
  log: Logger,
  formatted: GraphQLFormattedError,
  requestId: string | undefined,
): AppError | null {
  if (original instanceof AppError) return original;
  // Pothos rejects a malformed argument (e.g. `node(id: "bogus")`: not a global id) before resolving.
  if (original instanceof PothosValidationError) return new ValidationError(original.message);
  // A lost database connection is the client's cue to retry, not a bug: warn, without SQL or params.
  const lossCode = connectionLossCode(error);
  if (!lossCode) return null;
  log.warn({ code: lossCode, path: formatted.path, requestId }, 'database connection lost during a request');
  return new DatabaseUnavailableError(lossCode);
}
