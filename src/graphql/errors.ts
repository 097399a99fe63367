// Error types in the schema (each implements `Error`) and the one boundary that turns thrown
// errors into GraphQL errors: known codes pass, everything else is masked and logged.
import { unwrapResolverError } from '@apollo/server/errors';
import { PothosValidationError } from '@pothos/core';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { connectionLossCode, DATABASE_UNAVAILABLE_MESSAGE } from '../db/errors.js';
import {
  type AppErrorCode,
  CodedError,
  type FieldIssue,
  NotFoundError,
  SettingsLockedError,
  ValidationError,
} from '../errors.js';
import type { Logger } from '../logger.js';
import { builder } from './builder.js';
import { BUDGET_ERROR_CODES } from './execution-budget.js';

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

/** HTTP status that goes with a code; the switch must stay exhaustive. */
function httpStatusFor(code: AppErrorCode): number {
  switch (code) {
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'BAD_USER_INPUT':
      return 400;
    // The request was fine; the team's Pinpoint connection is not. GraphQL answers 200 with the error.
    case 'INTEGRATION_NOT_CONNECTED':
    case 'PINPOINT_UNAVAILABLE':
      return 200;
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

/** Thrown where no GraphQL execution is running (context creation): HTTP 503, retryable. */
export function databaseUnavailableError(cause: unknown): GraphQLError {
  return new GraphQLError(DATABASE_UNAVAILABLE_MESSAGE, {
    originalError: cause instanceof Error ? cause : undefined,
    extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true, http: { status: 503 } },
  });
}

export function codedGraphQLError(error: CodedError): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: { code: error.code, http: { status: httpStatusFor(error.code) } },
  });
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
]);

function httpStatusOf(error: GraphQLError): number | undefined {
  const http = error.extensions.http as { status?: number } | undefined;
  return http?.status;
}

/** Extensions a request or budget error may carry to the client besides its code. */
const PUBLIC_EXTENSIONS = ['cost', 'limit', 'argumentPath'] as const;

function publicExtensions(extensions: Record<string, unknown> | undefined): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const key of PUBLIC_EXTENSIONS) if (extensions?.[key] !== undefined) kept[key] = extensions[key];
  return kept;
}

/**
 * The one boundary for thrown errors. CodedErrors keep their code; GraphQL request errors keep
 * theirs; anything else becomes INTERNAL_SERVER_ERROR with a generic message and the request id,
 * and its detail goes to the log only.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  log: Logger,
  requestId: string | undefined,
): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const base = { locations: formatted.locations, path: formatted.path };
  if (original instanceof CodedError) {
    return { ...base, message: original.message, extensions: { code: original.code } };
  }
  // Pothos rejects a malformed argument (e.g. `node(id: "bogus")`: not a global id) before resolving.
  if (original instanceof PothosValidationError) {
    return { ...base, message: original.message, extensions: { code: 'BAD_USER_INPUT' } };
  }
  // Request errors (parse, validation, variable coercion) have no path and carry Apollo's code.
  const code = formatted.extensions?.code;
  if (formatted.path === undefined && typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) {
    return {
      ...base,
      message: formatted.message,
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
  // A lost database connection is the client's cue to retry, not a bug: warn, without SQL or params.
  const lossCode = connectionLossCode(error);
  if (lossCode) {
    log.warn(
      { code: lossCode, path: formatted.path, requestId },
      'database connection lost during a request',
    );
    const extensions = { code: 'SERVICE_UNAVAILABLE', retryable: true, requestId };
    return { ...base, message: DATABASE_UNAVAILABLE_MESSAGE, extensions };
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
