// Hot statements of the sync engine as named (prepared) statements. drizzle sends `db.execute` and
// builder queries unnamed, and postgres.js then spends two round trips on each statement with
// parameters (Parse+Describe, then Bind+Execute). Named, PostgreSQL parses and plans a statement of
// the same text once per connection and every later run is one round trip. postgres.js keys the
// statements by their text, so a statement of any shape can go through here; keep the shapes few
// (no values spliced into the text). PGlite ignores the name: pglite-statements.ts prepares there.
import type { SQLWrapper } from 'drizzle-orm';
import type { DbOrTx } from './client.js';

/** A prepared-statement name: postgres.js only needs one to be given; it names statements itself. */
const NAMED = 'named';

interface Prepared {
  execute(): Promise<unknown>;
}

interface Session {
  prepareQuery(query: unknown, fields: undefined, name: string, arrayMode: boolean): Prepared;
}

interface LazyRaw {
  getQuery(): unknown;
}

/**
 * `db.execute(query)` as a named statement: same result shape (`{ rows }` on PGlite, an array on
 * postgres.js; read it with rowsOf), logged like any other query. Inside a transaction it runs on
 * the transaction's connection.
 */
export function executeNamed(db: DbOrTx, query: SQLWrapper): Promise<unknown> {
  // `db.execute` only builds the query until awaited: take its text and parameters, run them named.
  const built = (db.execute(query) as unknown as LazyRaw).getQuery();
  const session = (db as unknown as { _: { session: Session } })._.session;
  return session.prepareQuery(built, undefined, NAMED, false).execute();
}

/** Rows of a raw `execute`: PGlite answers `{ rows }`, postgres.js an array. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
