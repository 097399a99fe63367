// PGlite's prepared statements (src/db/pglite-statements.ts): a repeated statement is parsed once, and
// what comes back (rows, types, errors, transactions) is what PGlite's own `query` answers. PGlite
// only: on PostgreSQL, postgres.js prepares statements itself.
import type { PGlite } from '@electric-sql/pglite';
import { types } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { rowsOf } from '../../src/sync/rate-limit.js';
import { openTestDatabase, usingPostgres } from '../helpers/server.js';

describe.skipIf(usingPostgres)('PGlite prepared statements', () => {
  let database: Database;
  let client: PGlite;
  beforeAll(async () => {
    database = await openTestDatabase();
    if (database.raw.kind !== 'pglite') throw new Error('expected PGlite');
    client = database.raw.client;
    await client.exec('create table prep_items (id int primary key, label text, data jsonb)');
  });
  afterAll(async () => {
    await database?.close();
  });

  /** Our prepared statements holding `text` (PostgreSQL's own view of the session). */
  async function preparedCopies(text: string): Promise<number> {
    const result = await client.query<{ n: number }>(
      `select count(*)::int as n from pg_prepared_statements where name like 'bff_s%' and statement = $1`,
      [text],
    );
    return result.rows[0]?.n ?? -1;
  }

  it('parses a repeated statement once and binds it on every later run', async () => {
    const text = 'select $1::int + 1 as n';
    const answers = [];
    for (const n of [1, 2, 3]) answers.push((await client.query<{ n: number }>(text, [n])).rows[0]?.n);
    expect(answers).toEqual([2, 3, 4]);
    expect(await preparedCopies(text)).toBe(1);
  });

  it('answers the rows, fields and types that an unprepared run answers', async () => {
    const text = `select $1::uuid as id, $2::text[] as tags, $3::jsonb as doc, $4::text as nothing,
                          $5::timestamptz as at, $6::bool as flag, $7::numeric as amount, $8::int8 as big`;
    const params = [
      '6f1c1a6e-2f0b-4d7c-9a53-0c6f7f2f4b11',
      ['a', "it's", 'c,d'],
      { nested: { list: [1, 2] } },
      null,
      new Date('2026-01-02T03:04:05.678Z'),
      true,
      '12.50',
      '9007199254740993',
    ];
    // paramTypes makes the layer step aside: PGlite's own unnamed Parse answers the reference.
    const unprepared = await client.query(text, params, { paramTypes: [] });
    const prepared = await client.query(text, params);
    const again = await client.query(text, params);
    expect(prepared.rows).toEqual(unprepared.rows);
    expect(prepared.fields).toEqual(unprepared.fields);
    expect(again.rows).toEqual(unprepared.rows);
    // drizzle's options: rows as arrays, timestamps left as text.
    const asArrays = { rowMode: 'array' as const, parsers: { [types.TIMESTAMPTZ]: (v: string) => v } };
    const arrays = await client.query(text, params, asArrays);
    expect(arrays.rows).toEqual((await client.query(text, params, { ...asArrays, paramTypes: [] })).rows);
    expect(typeof (arrays.rows[0] as unknown[])[4]).toBe('string');
  });

  it('a failing statement throws PostgreSQL error, with its query, and the database stays usable', async () => {
    const insert = 'insert into prep_items (id, label) values ($1, $2)';
    await client.query(insert, [1, 'first']);
    const failure = await client.query(insert, [1, 'again']).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: '23505', query: insert, params: [1, 'again'] });
    await client.query(insert, [2, 'second']);
    const rows = await client.query(
      'select id, label from prep_items where id = any($1::int[]) order by id',
      [[1, 2]],
    );
    expect(rows.rows).toEqual([
      { id: 1, label: 'first' },
      { id: 2, label: 'second' },
    ]);
    expect(await preparedCopies(insert)).toBe(1);
  });

  it('runs inside transactions: a rollback undoes what its prepared statements wrote', async () => {
    const insert = 'insert into prep_items (id, label) values ($1, $2)';
    await client.transaction(async (tx) => {
      await tx.query(insert, [10, 'rolled back']);
      expect((await tx.query('select count(*)::int as n from prep_items where id = $1', [10])).rows).toEqual([
        { n: 1 },
      ]);
      await tx.rollback();
    });
    await expect(
      database.db.transaction(async (tx) => {
        await tx.execute(sql`insert into prep_items (id, label) values (${11}, ${'thrown away'})`);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`insert into prep_items (id, label) values (${12}, ${'kept'})`);
    });
    const left = rowsOf<{ id: number }>(
      await database.db.execute(sql`select id from prep_items where id >= ${10} order by id`),
    );
    expect(left.map((r) => r.id)).toEqual([12]);
  });

  it('keeps at most 128 statements, closing the least recently used', async () => {
    for (let i = 0; i < 160; i++) await client.query(`select $1::int + ${i} as n`, [i]);
    await client.query('select $1::int as last', [0]);
    const held = await client.query<{ n: number }>(
      `select count(*)::int as n from pg_prepared_statements where name like 'bff_s%'`,
    );
    expect(held.rows[0]?.n).toBeLessThanOrEqual(128);
    expect(held.rows[0]?.n).toBeGreaterThan(100);
    expect(await preparedCopies('select $1::int + 0 as n')).toBe(0);
    expect(await preparedCopies('select $1::int + 159 as n')).toBe(1);
  });

  it('a statement whose table changed its columns is parsed again', async () => {
    const text = 'select * from prep_items where id = $1';
    expect((await client.query(text, [1])).rows).toEqual([{ id: 1, label: 'first', data: null }]);
    await client.exec('alter table prep_items add column extra text');
    expect((await client.query(text, [1])).rows).toEqual([
      { id: 1, label: 'first', data: null, extra: null },
    ]);
  });
});
