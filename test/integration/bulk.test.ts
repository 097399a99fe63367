// Many rows as one JSON parameter (src/db/bulk.ts), on a real database (PGlite, or PostgreSQL when
// TEST_DATABASE_URL is set): values arrive exactly as given, in order, with drizzle's generated ids,
// and the statement's text and parameters do not grow with the rows.
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertJsonRows, inTextList, inUuidList, rowFromJson } from '../../src/db/bulk.js';
import type { Database } from '../../src/db/client.js';
import { rowsOf } from '../../src/db/named.js';
import { contactsTable, teamsTable } from '../../src/db/schema.js';
import { openTestDatabase } from '../helpers/server.js';

let database: Database;
let teamId: string;
beforeAll(async () => {
  database = await openTestDatabase();
  const [team] = await database.db.insert(teamsTable).values({ name: 'Bulk' }).returning();
  teamId = team!.id;
});
afterAll(async () => {
  await database?.close();
});

const columns = {
  email: contactsTable.email,
  firstName: contactsTable.firstName,
  lastName: contactsTable.lastName,
};
const insertContacts = (rows: readonly object[]) =>
  insertJsonRows(contactsTable, rows, columns, [[contactsTable.teamId, sql`${teamId}::uuid`]]);

describe('bulk rows as JSON', () => {
  it('inserts every value as given, in order, with generated ids', async () => {
    const awkward = [
      { email: 'quote@example.com', firstName: "O'Brien", lastName: 'say "hi"' },
      { email: 'slash@example.com', firstName: 'back\\slash', lastName: null },
      { email: 'unicode@example.com', firstName: 'Zoë 李 🙂', lastName: '\n\ttabbed' },
      { email: 'sql@example.com', firstName: "'); drop table contacts; --", lastName: '$1' },
    ];
    const inserted = rowsOf<{ id: string; email: string }>(
      await database.db.execute(sql`${insertContacts(awkward)} returning id, email`),
    );
    expect(inserted.map((r) => r.email)).toEqual(awkward.map((r) => r.email));
    expect(new Set(inserted.map((r) => r.id)).size).toBe(awkward.length);
    const stored = await database.db
      .select()
      .from(contactsTable)
      .where(
        inUuidList(
          contactsTable.id,
          inserted.map((r) => r.id),
        ),
      );
    const byEmail = new Map(stored.map((r) => [r.email, r]));
    for (const row of awkward) {
      expect(byEmail.get(row.email)).toMatchObject({
        teamId,
        firstName: row.firstName,
        lastName: row.lastName,
      });
    }
  });

  it('maps a row returned as JSON back to what a drizzle select answers', async () => {
    const [returned] = rowsOf<{ row: unknown }>(
      await database.db.execute(
        sql`${insertContacts([{ email: 'json@example.com', firstName: 'Jay', lastName: null }])}
          returning to_jsonb(${contactsTable}) as row`,
      ),
    );
    const mapped = rowFromJson(contactsTable, returned?.row);
    expect(mapped.createdAt).toBeInstanceOf(Date);
    const [selected] = await database.db
      .select()
      .from(contactsTable)
      .where(inUuidList(contactsTable.id, [mapped.id]));
    expect(mapped).toEqual(selected);
  });

  it('keeps the statement to the same text and two parameters for 3 rows or 600', async () => {
    const rows = (n: number, tag: string) =>
      Array.from({ length: n }, (_, i) => ({
        email: `${tag}${i}@example.com`,
        firstName: `F${i}`,
        lastName: null,
      }));
    const small = database.db.execute(insertContacts(rows(3, 'small'))) as unknown as {
      getQuery(): { sql: string; params: unknown[] };
    };
    const large = database.db.execute(insertContacts(rows(600, 'large'))) as unknown as {
      getQuery(): { sql: string; params: unknown[] };
    };
    expect(small.getQuery().sql).toBe(large.getQuery().sql);
    expect(large.getQuery().params).toHaveLength(2);
    await large;
    const emails = Array.from({ length: 600 }, (_, i) => `large${i}@example.com`);
    const found = await database.db
      .select({ email: contactsTable.email })
      .from(contactsTable)
      .where(
        and(
          eq(contactsTable.teamId, teamId),
          inTextList(contactsTable.email, [...emails, 'nobody@example.com']),
        ),
      );
    expect(found).toHaveLength(600);
    expect(await database.db.select().from(contactsTable).where(inUuidList(contactsTable.id, []))).toEqual(
      [],
    );
  });
});
