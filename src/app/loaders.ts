// Per-request batch loads for campaigns, contacts and campaign contacts, every one scoped by the team:
// the GraphQL layer gets one set per request (`loadersOf(ctx)`), the sync engine builds its own per
// job batch (`createLoaders(db, teamId)`). Lists are paged by keyset cursors on (created_at, id).
import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import { and, asc, count, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import { type Context, viewerOf } from '../context.js';
import type { DbOrTx } from '../db/client.js';
import { campaignContactsTable, campaignsTable, contactsTable, integrationsTable } from '../db/schema.js';
import { isRealTimestamp } from '../domain/timestamp-text.js';
import type { UserSyncSettings } from '../domain/types.js';
import { CodedError } from '../errors.js';
import { loadUsers, type UserRow, uuidsOnly } from './identity.js';
import { loadTeamSettings, loadUserSettings, type TeamSettingsRecord } from './settings-store.js';

export type ContactRow = typeof contactsTable.$inferSelect;
export type CampaignRow = typeof campaignsTable.$inferSelect;
export type CampaignContactRow = typeof campaignContactsTable.$inferSelect;

// ── Keyset pagination ──────────────────────────────────────────────────────────────────────────────

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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.createdAt}|${cursor.id}`, 'utf8').toString('base64url');
}

/** Parses a client's `after`; anything we did not issue is a BAD_USER_INPUT error. */
export function decodeCursor(value: string): Cursor {
  const [createdAt, id, ...rest] = Buffer.from(value, 'base64url').toString('utf8').split('|');
  if (rest.length > 0 || !createdAt || !id || !isRealTimestamp(createdAt) || !UUID.test(id)) {
    throw new CodedError('BAD_USER_INPUT', '`after` is not a cursor this API issued.');
  }
  return { createdAt, id };
}

/** Checks `first`/`after` of a connection field and applies the default page size. */
export function pageArgs(first: number | null | undefined, after: string | null | undefined): PageArgs {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw new CodedError('BAD_USER_INPUT', `\`first\` must be between 0 and ${MAX_PAGE_SIZE}.`);
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
    rows: kept.map(({ cursorCreatedAt: _c, ...row }) => row as unknown as T),
    cursors: kept.map((row) => encodeCursor({ createdAt: row.cursorCreatedAt, id: row.id })),
    hasNextPage: rows.length > first,
  };
}

// ── Batch loads ────────────────────────────────────────────────────────────────────────────────────

/** Returns rows in key order with null for keys this team has no row for. */
function inKeyOrder<T extends { id: string }>(keys: readonly string[], rows: readonly T[]): (T | null)[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return keys.map((key) => byId.get(key) ?? null);
}

async function contactsById(db: DbOrTx, teamId: string, ids: readonly string[]): Promise<ContactRow[]> {
  const valid = uuidsOnly(ids);
  if (valid.length === 0) return [];
  return db
    .select()
    .from(contactsTable)
    .where(and(eq(contactsTable.teamId, teamId), inArray(contactsTable.id, valid)));
}

async function campaignsById(db: DbOrTx, teamId: string, ids: readonly string[]): Promise<CampaignRow[]> {
  const valid = uuidsOnly(ids);
  if (valid.length === 0) return [];
  return db
    .select()
    .from(campaignsTable)
    .where(and(eq(campaignsTable.teamId, teamId), inArray(campaignsTable.id, valid)));
}

export async function campaignContactsById(
  db: DbOrTx,
  teamId: string,
  ids: readonly string[],
): Promise<CampaignContactRow[]> {
  const valid = uuidsOnly(ids);
  if (valid.length === 0) return [];
  return db
    .select()
    .from(campaignContactsTable)
    .where(and(eq(campaignContactsTable.teamId, teamId), inArray(campaignContactsTable.id, valid)));
}

/**
 * The first page of contacts of many campaigns in ONE statement: a lateral join runs the keyset page
 * query (index campaign_contacts_campaign_idx) once per campaign, so 20 campaigns cost one round trip.
 * All campaigns of a call share `page` (DataLoader groups keys by page arguments).
 */
async function campaignContactPages(
  db: DbOrTx,
  teamId: string,
  campaignIds: readonly string[],
  page: PageArgs,
): Promise<Map<string, Page<CampaignContactRow>>> {
  const result = new Map<string, Page<CampaignContactRow>>();
  const valid = uuidsOnly(campaignIds);
  if (valid.length === 0 || page.first === 0) {
    for (const id of campaignIds) result.set(id, { rows: [], cursors: [], hasNextPage: false });
    return result;
  }
  const cc = campaignContactsTable;
  const keys = db
    .select({ campaignId: campaignsTable.id })
    .from(campaignsTable)
    .where(and(eq(campaignsTable.teamId, teamId), inArray(campaignsTable.id, valid)))
    .as('k');
  const after = page.after;
  const pageOf = db
    .select({
      ...getTableColumns(cc),
      cursorCreatedAt: sql<string>`${cc.createdAt}::text`.as('cursor_created_at'),
    })
    .from(cc)
    .where(
      and(
        eq(cc.teamId, teamId),
        sql`${cc.campaignId} = ${keys.campaignId}`,
        after
          ? sql`(${cc.createdAt}, ${cc.id}) > (${after.createdAt}::timestamptz, ${after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(asc(cc.createdAt), asc(cc.id))
    .limit(page.first + 1)
    .as('p');
  const rows = await db.select().from(keys).innerJoinLateral(pageOf, sql`true`);
  const grouped = new Map<string, (CampaignContactRow & { cursorCreatedAt: string })[]>();
  for (const { p } of rows) {
    const list = grouped.get(p.campaignId) ?? [];
    list.push(p);
    grouped.set(p.campaignId, list);
  }
  for (const id of campaignIds) result.set(id, toPage(grouped.get(id) ?? [], page.first));
  return result;
}

async function campaignContactCounts(
  db: DbOrTx,
  teamId: string,
  campaignIds: readonly string[],
): Promise<Map<string, number>> {
  const valid = uuidsOnly(campaignIds);
  const counts = new Map<string, number>(campaignIds.map((id) => [id, 0]));
  if (valid.length === 0) return counts;
  const rows = await db
    .select({ campaignId: campaignContactsTable.campaignId, total: count() })
    .from(campaignContactsTable)
    .where(and(eq(campaignContactsTable.teamId, teamId), inArray(campaignContactsTable.campaignId, valid)))
    .groupBy(campaignContactsTable.campaignId);
  for (const row of rows) counts.set(row.campaignId, Number(row.total));
  return counts;
}

interface PageKey {
  readonly campaignId: string;
  readonly page: PageArgs;
}

const pageGroup = (page: PageArgs) => `${page.first}|${page.after ? encodeCursor(page.after) : ''}`;

/** Everything per-item reads go through; one instance per request (or per sync batch). */
export interface Loaders {
  readonly teamId: string;
  readonly contacts: DataLoader<string, ContactRow | null>;
  readonly campaigns: DataLoader<string, CampaignRow | null>;
  readonly campaignContacts: DataLoader<string, CampaignContactRow | null>;
  /** Users of the team (campaign owners). */
  readonly users: DataLoader<string, UserRow | null>;
  /** Personal defaults per user (`{}` for users without any). */
  readonly userSettings: DataLoader<string, UserSyncSettings>;
  readonly campaignContactPages: DataLoader<PageKey, Page<CampaignContactRow>, string>;
  readonly campaignContactCounts: DataLoader<string, number>;
  /** The team's settings and field mappings, read once. */
  teamSettings(): Promise<TeamSettingsRecord>;
  /** The team's Pinpoint subdomain (null when never connected), read once. */
  pinpointDomain(): Promise<string | null>;
}

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => {
    promise ??= load();
    return promise;
  };
}

export function createLoaders(db: DbOrTx, teamId: string): Loaders {
  return {
    teamId,
    contacts: new DataLoader(async (ids) => inKeyOrder(ids, await contactsById(db, teamId, ids))),
    campaigns: new DataLoader(async (ids) => inKeyOrder(ids, await campaignsById(db, teamId, ids))),
    campaignContacts: new DataLoader(async (ids) =>
      inKeyOrder(ids, await campaignContactsById(db, teamId, ids)),
    ),
    users: new DataLoader(async (ids) => inKeyOrder(ids, await loadUsers(db, teamId, ids))),
    userSettings: new DataLoader(async (ids) => {
      const settings = await loadUserSettings(db, teamId, ids);
      return ids.map((id) => settings.get(id) ?? {});
    }),
    campaignContactPages: new DataLoader(
      async (keys) => {
        const groups = new Map<string, { page: PageArgs; ids: string[] }>();
        for (const key of keys) {
          const group = groups.get(pageGroup(key.page)) ?? { page: key.page, ids: [] };
          group.ids.push(key.campaignId);
          groups.set(pageGroup(key.page), group);
        }
        const pages = new Map<string, Page<CampaignContactRow>>();
        for (const [groupKey, group] of groups) {
          const loaded = await campaignContactPages(db, teamId, group.ids, group.page);
          for (const [id, page] of loaded) pages.set(`${groupKey}#${id}`, page);
        }
        return keys.map(
          (key) =>
            pages.get(`${pageGroup(key.page)}#${key.campaignId}`) ?? {
              rows: [],
              cursors: [],
              hasNextPage: false,
            },
        );
      },
      { cacheKeyFn: (key) => `${pageGroup(key.page)}#${key.campaignId}` },
    ),
    campaignContactCounts: new DataLoader(async (ids) => {
      const counts = await campaignContactCounts(db, teamId, ids);
      return ids.map((id) => counts.get(id) ?? 0);
    }),
    teamSettings: once(() => loadTeamSettings(db, teamId)),
    pinpointDomain: once(async () => {
      const rows = await db
        .select({ domain: integrationsTable.domain })
        .from(integrationsTable)
        .where(and(eq(integrationsTable.teamId, teamId), eq(integrationsTable.provider, 'PINPOINT')));
      return rows[0]?.domain ?? null;
    }),
  };
}

/** The request's loaders, keyed by the viewer's team (created on first use, dropped with the request). */
export const loadersOf: (ctx: Context) => Loaders = createContextCache((ctx: Context) =>
  createLoaders(ctx.db, viewerOf(ctx).teamId),
);

/** Keeps rows a use case just read or wrote in the request's cache, so resolvers do not read them again. */
export function primeRows<T extends { id: string }>(
  loader: DataLoader<string, T | null>,
  rows: readonly T[],
) {
  for (const row of rows) loader.clear(row.id).prime(row.id, row);
}
