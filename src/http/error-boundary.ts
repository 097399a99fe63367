// Applies the error boundary (graphql/errors.ts formatError) where the request's context is at
// hand: to execution results, and to failures while building the context. Apollo's own formatError
// hook gets no context, so errors masked here are marked and passed through it unchanged.
import { type ExecutionResult, GraphQLError, type GraphQLFormattedError } from 'graphql';
import { formatError } from '../graphql/errors.js';
import type { Logger } from '../logger.js';

/** An error already formatted by the boundary, with its request id. */
export class FormattedError extends GraphQLError {}

function formatted(f: GraphQLFormattedError): FormattedError {
  const error = new FormattedError(f.message, { path: f.path, extensions: f.extensions });
  (error as { locations: GraphQLError['locations'] }).locations = f.locations;
  return error;
}

/**
 * Formats a result's errors. `pathless: false` leaves errors without a path (variable coercion,
 * operation selection) to Apollo, which gives them their request codes first.
 */
export function formatResultErrors(
  result: ExecutionResult,
  log: Logger,
  requestId: string | undefined,
  options: { pathless: boolean },
): ExecutionResult {
  if (!result.errors?.length) return result;
  const errors = result.errors.map((e) =>
    e.path === undefined && !options.pathless ? e : formatted(formatError(e.toJSON(), e, log, requestId)),
  );
  return { ...result, errors };
}

/** For a failure while building the context: a GraphQL error passes, anything else is masked. */
export function formatContextError(error: unknown, log: Logger, requestId: string): GraphQLError {
  if (error instanceof GraphQLError) return error;
  return formatted(formatError({ message: 'context creation failed' }, error, log, requestId));
}

/** Apollo's formatError: errors formatted above pass; the rest are request errors (no request id). */
export function apolloFormatError(log: Logger) {
  return (f: GraphQLFormattedError, error: unknown): GraphQLFormattedError =>
    error instanceof FormattedError ? f : formatError(f, error, log, undefined);
}
