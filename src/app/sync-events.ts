// The sync event log: one order per team, the position each event drew after taking its team's lock
// (sync/record.ts), so the log's order is commit order. Lists page it newest first; subscriptions
// replay it oldest first from a cursor. The cursor is the position, opaque to clients.
import { and, asc, desc, eq, gt, inArray, lt, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { syncEventsTable } from '../db/schema.js';
import { ValidationError } from '../errors.js';
import { type AppContext as Context, viewerOf } from './context.js';
import { uuidsOnly } from './identity.js';

export type SyncEventRow = typeof syncEventsTable.$inferSelect;

/** A page entry: the event and its cursor. */
export interface SyncEventEdgeRow {
  readonly node: SyncEventRow;
  readonly cursor: string;
}

export interface SyncEventFilter {
  readonly campaignId: string | null;
  readonly status: SyncEventRow['status'] | null;
}

const CURSOR_PREFIX = 'e:';

export function encodeEventCursor(position: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${position}`, 'utf8').toString('base64url');
}

/** The position a client's cursor names; anything we did not issue is BAD_USER_INPUT. */
export function decodeEventCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const position = text.startsWith(CURSOR_PREFIX) ? Number(text.slice(CURSOR_PREFIX.length)) : Number.NaN;
  if (!/^e:\d{1,15}$/.test(text) || !Number.isSafeInteger(position)) {
    throw new ValidationError('`after` is not a sync event cursor this API issued.', [
      { path: ['after'], message: 'Not a sync event cursor this API issued' },
    ]);
  }
  return position;
}

/** The team's events, optionally of one campaign and/or one status; null when none can match. */
function conditionsOf(teamId: string, filter: SyncEventFilter): SQL[] | null {
  const conditions: SQL[] = [eq(syncEventsTable.teamId, teamId)];
  if (filter.campaignId !== null) {
    if (uuidsOnly([filter.campaignId]).length === 0) return null;
    conditions.push(eq(syncEventsTable.campaignId, filter.campaignId));
  }
  if (filter.status) conditions.push(eq(syncEventsTable.status, filter.status));
  return conditions;
}

/** How many events `listSyncEvents` pages through with the same filter. */
export async function countSyncEvents(ctx: Context, filter: SyncEventFilter): Promise<number> {
  const conditions = conditionsOf(viewerOf(ctx).teamId, filter);
  if (!conditions) return 0;
  return ctx.db.$count(syncEventsTable, and(...conditions));
}

/** Newest first (highest position), keyset-paginated, scoped to the viewer's team. */
export async function listSyncEvents(
  ctx: Context,
  args: SyncEventFilter & { first: number; after: string | null },
): Promise<{ edges: SyncEventEdgeRow[]; hasNextPage: boolean }> {
  const conditions = conditionsOf(viewerOf(ctx).teamId, args);
  if (!conditions) return { edges: [], hasNextPage: false };
  if (args.after) conditions.push(lt(syncEventsTable.position, decodeEventCursor(args.after)));
  const rows = await ctx.db
    .select()
    .from(syncEventsTable)
    .where(and(...conditions))
    .orderBy(desc(syncEventsTable.position))
    .limit(args.first + 1);
  return {
    edges: rows.slice(0, args.first).map((node) => ({ node, cursor: encodeEventCursor(node.position) })),
    hasNextPage: rows.length > args.first,
  };
}

/** Oldest first: the team's events after `position` (of one campaign, or all), at most `limit`. */
export async function syncEventsAfter(
  db: DbOrTx,
  teamId: string,
  args: { campaignId: string | null; position: number; limit: number },
): Promise<SyncEventRow[]> {
  const conditions = conditionsOf(teamId, { campaignId: args.campaignId, status: null });
  if (!conditions) return [];
  return db
    .select()
    .from(syncEventsTable)
    .where(and(...conditions, gt(syncEventsTable.position, args.position)))
    .orderBy(asc(syncEventsTable.position))
    .limit(args.limit);
}

/** Events by id, scoped to the team (any order). */
export async function loadSyncEvents(
  db: DbOrTx,
  teamId: string,
  ids: readonly string[],
): Promise<SyncEventRow[]> {
  const valid = uuidsOnly(ids);
  if (valid.length === 0) return [];
  return db
    .select()
    .from(syncEventsTable)
    .where(and(eq(syncEventsTable.teamId, teamId), inArray(syncEventsTable.id, valid)));
}
