// Writes and reads of many rows in statements whose parameters do not grow with the rows: the rows
// (or ids) travel as one JSON parameter. drizzle's multi-row `values (…), (…)` binds one parameter per
// value, 5,000 for 500 contacts, and building, sending and parsing those cost more than the insert
// itself (500 contacts added: 570 ms, of which 130 ms in the database). The statement's text is also
// the same for any number of rows, so it is parsed once.
import { getTableColumns, is, SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';

/** `expression in (the values)`, the values as one JSON parameter, whatever their number. */
export function inTextList(
  expression: SQLWrapper,
  values: readonly string[],
  cast: 'text' | 'uuid' = 'text',
): SQL {
  return sql`${expression} in (select value::${sql.raw(cast)} from jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`;
}

/** `column in (the ids)`: inTextList of uuids. */
export const inUuidList = (column: SQLWrapper, ids: readonly string[]): SQL =>
  inTextList(column, ids, 'uuid');

/**
 * `insert into table (…) select …` from `rows`, one JSON parameter, in their order: each key of
 * `columns` names a row field and the column it fills; `computed` columns get an expression, which
 * may use the row's position `e.n` (from 1). A column named in neither gets its drizzle default
 * function's value (the ids), else the database's default. Append `on conflict …` and `returning …`.
 */
export function insertJsonRows(
  table: PgTable,
  rows: readonly object[],
  columns: Readonly<Record<string, PgColumn>>,
  computed: readonly (readonly [PgColumn, SQL])[] = [],
): SQL {
  const named = new Set([...Object.values(columns), ...computed.map(([column]) => column)]);
  const generated = Object.entries(getTableColumns(table)).filter(
    ([, column]) => !named.has(column) && column.defaultFn !== undefined,
  );
  const fields = [...Object.entries(columns), ...generated];
  const withGenerated = rows.map((row) => {
    const full: Record<string, unknown> = { ...row };
    for (const [key, column] of generated) {
      const value = column.defaultFn?.();
      if (is(value, SQL)) throw new Error(`${key}: an SQL default function cannot run per JSON row`);
      full[key] = value;
    }
    return full;
  });
  const names = [...fields.map(([, column]) => column), ...computed.map(([column]) => column)].map((c) =>
    sql.identifier(c.name),
  );
  const values = [
    ...fields.map(([field, column]) => fieldOf(field, column)),
    ...computed.map(([, expression]) => expression),
  ];
  return sql`insert into ${table} (${sql.join(names, sql`, `)})
    select ${sql.join(values, sql`, `)}
      from jsonb_array_elements(${JSON.stringify(withGenerated)}::jsonb) with ordinality as e(v, n)
     order by e.n`;
}

/** A row field of `e.v` as the column's type (JSON kept as JSON); field names are the caller's own. */
function fieldOf(field: string, column: PgColumn): SQL {
  const type = column.getSQLType();
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(field) || !/^[a-z_][a-z0-9_ ()]*$/.test(type))
    throw new Error(`cannot read field ${field} as ${type}`);
  if (type === 'jsonb' || type === 'json') return sql.raw(`(e.v->'${field}')`);
  return sql.raw(`(e.v->>'${field}')::${type}`);
}

/**
 * A table's row from `to_jsonb(row)` (an insert's `returning to_jsonb(t)`, a row read inside another
 * statement), as a select through drizzle answers it: each column by its
 * own decoder (timestamps become Dates), JSON columns as they are (already parsed).
 */
export function rowFromJson<T extends PgTable>(table: T, value: unknown): T['$inferSelect'] {
  const json = (value ?? {}) as Record<string, unknown>;
  const row: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const raw = json[column.name];
    const isJson = column.getSQLType() === 'jsonb' || column.getSQLType() === 'json';
    row[key] = raw === null || raw === undefined ? null : isJson ? raw : column.mapFromDriverValue(raw);
  }
  return row as T['$inferSelect'];
}
