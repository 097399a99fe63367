// Reads the Relay global ids mutations and queries take: the wrong type, a malformed id and another
// team's id all end up as "not found" (the use case scopes the lookup by team).
import { decodeGlobalID } from '@pothos/plugin-relay';

/** The database id inside a global id of `typename`; '' (matches nothing) when it is not one. */
export function localId(globalId: string, typename: string): string {
  try {
    const decoded = decodeGlobalID(globalId);
    return decoded.typename === typename ? decoded.id : '';
  } catch {
    return '';
  }
}

/**
 * The rows a node loader found (missing ids are "not found": null). A failed load — a lost database
 * connection fails the whole batch — is thrown, so it answers as the retryable error it is and never
 * reads as "not found" (a null node, or an internal error on a non-null field).
 */
export function foundRows<T>(rows: readonly (T | null | Error)[]): T[] {
  const failure = rows.find((row) => row instanceof Error);
  if (failure) throw failure;
  return rows.filter((row): row is T => row !== null);
}
