// Prepared hot reads: each query is built by drizzle once per database handle (not on every call) and
// runs as a named statement, so PostgreSQL parses and plans it once per connection. Without a name,
// postgres.js sends every statement with parameters as two round trips (Parse+Describe, then
// Bind+Execute); prepared, a repeat costs one. Ids travel as one array (`= any($n::uuid[])`), so the
// statement's text is the same for any number of ids.
import { Column, getTableName, is, SQL, Subquery, sql } from 'drizzle-orm';
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
    statement = withCompiledMapping(build(db).prepare(name));
    byName.set(name, statement);
  }
  return statement.execute(values);
}

/** `column = any($name::uuid[])`: membership in an array parameter of any length. */
export function inUuids(column: AnyPgColumn, placeholder: string): SQL {
  return sql`${column} = any(${sql.placeholder(placeholder)}::uuid[])`;
}

interface MappedField {
  readonly path: readonly string[];
  readonly field: unknown;
}

interface PreparedInternals {
  fields?: readonly MappedField[];
  joinsNotNullableMap?: Record<string, boolean>;
  customResultMapper?: (rows: unknown[][]) => unknown;
}

type Decode = ((value: unknown) => unknown) | null;

interface Decoder {
  mapFromDriverValue(value: unknown): unknown;
}
const decoderOfSql = (expression: unknown) => (expression as { decoder: Decoder }).decoder;
const passThrough = [Column.prototype.mapFromDriverValue, decoderOfSql(sql``).mapFromDriverValue];

/** The column's or expression's decoder; null when it returns driver values unchanged. */
function decoderOf(field: unknown): Decode {
  const decoder: Decoder = is(field, Column)
    ? field
    : is(field, SQL)
      ? decoderOfSql(field)
      : is(field, Subquery)
        ? decoderOfSql(field._.sql)
        : decoderOfSql((field as SQL.Aliased).sql);
  return passThrough.includes(decoder.mapFromDriverValue)
    ? null
    : (value) => decoder.mapFromDriverValue(value);
}

/**
 * drizzle's row mapping (`mapResultRow`) decides each cell's decoder and path again for every row;
 * hot reads return hundreds of rows per request, so this decides once per statement and builds each
 * row in one pass. Null cells stay null (as drizzle's); statements with nullable joins (whose all-null
 * side becomes null) keep drizzle's mapping.
 */
function compileRowMapper(fields: readonly MappedField[]): (rows: unknown[][]) => unknown[] {
  const columns = fields.map(({ path, field }) => ({ path, decode: decoderOf(field) }));
  const mapRow = (row: unknown[]) => {
    const result: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) {
      const { path, decode } = columns[i] as (typeof columns)[number];
      let node = result;
      for (let p = 0; p < path.length - 1; p++) {
        const key = path[p] as string;
        node[key] ??= {};
        node = node[key] as Record<string, unknown>;
      }
      const raw = row[i];
      node[path[path.length - 1] as string] = raw === null || decode === null ? raw : decode(raw);
    }
    return result;
  };
  return (rows) => rows.map(mapRow);
}

/**
 * drizzle sets an object of a nullable join's table to null when all its columns are null: only
 * statements that select such an object keep drizzle's mapping.
 */
function nullsJoinedObjects(internals: PreparedInternals): boolean {
  const joins = internals.joinsNotNullableMap;
  if (!joins) return false;
  return (internals.fields ?? []).some(
    ({ path, field }) => path.length === 2 && is(field, Column) && joins[getTableName(field.table)] === false,
  );
}

/** Gives a prepared statement the compiled row mapping when drizzle's would do the same. */
function withCompiledMapping<T>(statement: Runnable<T>): Runnable<T> {
  const internals = statement as unknown as PreparedInternals;
  if (internals.fields && !internals.customResultMapper && !nullsJoinedObjects(internals)) {
    internals.customResultMapper = compileRowMapper(internals.fields);
  }
  return statement;
}
