// Error classes shared by use cases and the GraphQL layer. Expected failures (typed union members)
// and coded failures (mapped to extensions.code at one boundary) are plain Error subclasses.

export interface FieldIssue {
  readonly path: readonly string[];
  readonly message: string;
}

/** Input a user can fix; every problem is named with the path of the offending field. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(
    message: string,
    readonly fieldErrors: readonly FieldIssue[] = [],
  ) {
    super(message);
  }
}

/** The thing does not exist for this team (another team's id answers the same). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** The team locked sync settings for non-admins. */
export class SettingsLockedError extends Error {
  override readonly name = 'SettingsLockedError';
}

export type AppErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'INTEGRATION_NOT_CONNECTED'
  | 'PINPOINT_UNAVAILABLE';

/** A failure that is not a typed result: reaches clients as a GraphQL error with this code. */
export class CodedError extends Error {
  override readonly name = 'CodedError';
  constructor(
    readonly code: AppErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const unauthenticated = () =>
  new CodedError('UNAUTHENTICATED', 'Sign in: send "Authorization: Bearer <token>" with a valid API token.');
export const forbidden = () => new CodedError('FORBIDDEN', 'Only team admins may do this.');

/** Turns zod issues into the field-level errors clients show next to inputs. */
export function issuesToFieldErrors(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  prefix: readonly string[] = [],
): FieldIssue[] {
  return issues.map((i) => ({ path: [...prefix, ...i.path.map((p) => String(p))], message: i.message }));
}

/** Pinpoint is not connected (or its key stopped working) for this team. */
export class IntegrationNotConnectedError extends Error {
  override readonly name = 'IntegrationNotConnectedError';
  constructor(message = 'Pinpoint is not connected. A team admin can connect it with activatePinpoint.') {
    super(message);
  }
}
