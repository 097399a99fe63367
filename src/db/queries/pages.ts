// Keyset pagination on (created_at, id): the one cursor codec of the API, and the page shape.
import { isRealTimestamp } from '../../domain/timestamp-text.js';
import { ValidationError } from '../../errors.js';
import { isUuid } from './rows.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** A position in a list: the row's created_at as PostgreSQL text (microseconds kept) and its id. */
export interface Cursor {
  readonly createdAt: string;
  readonly id: string;
}

export interface PageArgs {
  readonly first: number;
  readonly after: Cursor | null;
}

export interface Page<T> {
  readonly rows: readonly T[];
  /** One opaque cursor per row. */
  readonly cursors: readonly string[];
  readonly hasNextPage: boolean;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.createdAt}|${cursor.id}`, 'utf8').toString('base64url');
}

/** Parses a client's `after`; anything we did not issue is a BAD_USER_INPUT error. */
export function decodeCursor(value: string): Cursor {
  const [createdAt, id, ...rest] = Buffer.from(value, 'base64url').toString('utf8').split('|');
  if (rest.length > 0 || !createdAt || !id || !isRealTimestamp(createdAt) || !isUuid(id)) {
    throw new ValidationError('`after` is not a cursor this API issued.', [
      { path: ['after'], message: 'Not a cursor this API issued' },
    ]);
  }
  return { createdAt, id };
}

/** Checks `first`/`after` of a connection field and applies the default page size. */
export function pageArgs(first: number | null | undefined, after: string | null | undefined): PageArgs {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw new ValidationError(`\`first\` must be between 0 and ${MAX_PAGE_SIZE}.`, [
      { path: ['first'], message: `Between 0 and ${MAX_PAGE_SIZE}` },
    ]);
  }
  return { first: size, after: after ? decodeCursor(after) : null };
}

/** Cuts the extra row a page query fetched to learn whether another page follows. */
export function toPage<T extends { id: string }>(
  rows: readonly (T & { cursorCreatedAt: string })[],
  first: number,
): Page<T> {
  const kept = rows.slice(0, first);
  return {
    // Rows keep their `cursorCreatedAt` (no copy per row): nothing reads it but the cursor below.
    rows: kept,
    cursors: kept.map((row) => encodeCursor({ createdAt: row.cursorCreatedAt, id: row.id })),
    hasNextPage: rows.length > first,
  };
}
