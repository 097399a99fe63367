// Prepared hot reads: each query is built by drizzle once per database handle (not on every call) and
// runs as a named statement, so PostgreSQL parses and plans it once per connection. Without a name,
// postgres.js sends every statement with parameters as two round trips (Parse+Describe, then
// Bind+Execute); prepared, a repeat costs one. Ids travel as one array (`= any($n::uuid[])`), so the
// statement's text is the same for any number of ids.
import { type SQL, sql } from 'drizzle-orm';
import { type AnyPgColumn, PgTransaction } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../client.js';

export type Values = Record<string, unknown>;

export interface Runnable<T> {
  execute(values?: Values): Promise<T>;
}

interface Preparable<T> extends Runnable<T> {
  prepare(name: string): Runnable<T>;
}

const statements = new WeakMap<object, Map<string, Runnable<unknown>>>();

/**
 * Runs the query `build` makes, prepared once per database handle under `name`. Inside a transaction
 * it is built for that call and runs unnamed (a transaction is short-lived and pinned to one
 * connection; statements prepared on the pool would run outside it).
 */
export function runPrepared<T>(
  db: DbOrTx,
  name: string,
  build: (db: DbOrTx) => Preparable<T>,
  values: Values,
): Promise<T> {
  if (db instanceof PgTransaction) return build(db).execute(values);
  let byName = statements.get(db);
  if (!byName) {
    byName = new Map();
    statements.set(db, byName);
  }
  let statement = byName.get(name) as Runnable<T> | undefined;
  if (!statement) {
    statement = build(db).prepare(name);
    byName.set(name, statement);
  }
  return statement.execute(values);
}

/** `column = any($name::uuid[])`: membership in an array parameter of any length. */
export function inUuids(column: AnyPgColumn, placeholder: string): SQL {
  return sql`${column} = any(${sql.placeholder(placeholder)}::uuid[])`;
}
