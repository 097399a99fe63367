// Batched, team-scoped reads (every statement carries the team): by id, keyset pages, counts, users,
// personal and team settings. Request DataLoaders (src/app/loaders.ts) and the sync context use them.
import { and, asc, count, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import type { UserSyncSettings } from '../../domain/types.js';
import type { DbOrTx } from '../client.js';
import {
  activitiesTable,
  campaignContactsTable,
  campaignsTable,
  contactsTable,
  integrationsTable,
  teamSettingsTable,
  teamsTable,
  userSettingsTable,
  usersTable,
} from '../schema.js';
import { type Page, type PageArgs, toPage } from './pages.js';
import type { CampaignContactRow, CampaignRow, ContactRow, TeamRow, UserRow } from './rows.js';
import { uuidsOnly } from './rows.js';
import { type TeamSettingsRecord, teamSettingsFromRow, userSettingsFromRow } from './stored-settings.js';

/** Returns rows in key order with null for keys this team has no row for. */
export function inKeyOrder<T extends { id: string }>(
  keys: readonly string[],
  rows: readonly T[],
): (T | null)[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return keys.map((key) => byId.get(key) ?? null);
}

export async function contactsById(
  db: DbOrTx,
  teamId: string,
  ids: readonly string[],
): Promise<ContactRow[]> {
  const valid = uuidsOnly(ids);
  if (valid.length === 0) return [];
  return db
    .select()
    .from(contactsTable)
    .where(and(eq(contactsTable.teamId, teamId), inArray(contactsTable.id, valid)));
}

export async function campaignsById(
  db: DbOrTx,
  teamId: string,
  ids: readonly string[],
): Promise<CampaignRow[]> {
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

export async function usersById(db: DbOrTx, teamId: string, ids: readonly string[]): Promise<UserRow[]> {
  const valid = uuidsOnly(ids);
  if (valid.length === 0) return [];
  return db
    .select()
    .from(usersTable)
    .where(and(eq(usersTable.teamId, teamId), inArray(usersTable.id, valid)));
}

export async function teamsById(
  db: DbOrTx,
  viewerTeamId: string,
  ids: readonly string[],
): Promise<TeamRow[]> {
  // A team can only ever see itself.
  if (!ids.includes(viewerTeamId)) return [];
  return db.select().from(teamsTable).where(eq(teamsTable.id, viewerTeamId));
}

/**
 * The first page of contacts of many campaigns in ONE statement: a lateral join runs the keyset page
 * query (index campaign_contacts_campaign_idx) once per campaign, so 20 campaigns cost one round trip.
 */
export async function campaignContactPages(
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

export async function campaignContactCounts(
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

export async function loadTeamSettings(db: DbOrTx, teamId: string): Promise<TeamSettingsRecord> {
  const rows = await db
    .select({ settings: teamSettingsTable.settings, fieldMappings: teamSettingsTable.fieldMappings })
    .from(teamSettingsTable)
    .where(eq(teamSettingsTable.teamId, teamId));
  return teamSettingsFromRow(rows[0]);
}

/** Personal defaults of several users of one team (users without a row get `{}`), in one query. */
export async function loadUserSettings(
  db: DbOrTx,
  teamId: string,
  userIds: readonly string[],
): Promise<Map<string, UserSyncSettings>> {
  const result = new Map<string, UserSyncSettings>(userIds.map((id) => [id, {}]));
  const valid = uuidsOnly(userIds);
  if (valid.length === 0) return result;
  const rows = await db
    .select({ userId: userSettingsTable.userId, settings: userSettingsTable.settings })
    .from(userSettingsTable)
    .where(and(eq(userSettingsTable.teamId, teamId), inArray(userSettingsTable.userId, valid)));
  for (const row of rows) result.set(row.userId, userSettingsFromRow(row.settings));
  return result;
}

/** The team's Pinpoint subdomain (null when never connected). */
export async function pinpointDomainOf(db: DbOrTx, teamId: string): Promise<string | null> {
  const rows = await db
    .select({ domain: integrationsTable.domain })
    .from(integrationsTable)
    .where(and(eq(integrationsTable.teamId, teamId), eq(integrationsTable.provider, 'PINPOINT')));
  return rows[0]?.domain ?? null;
}

/** The users who recorded activities on these campaign contacts (ids, without repeats). */
export async function activityActorIds(
  db: DbOrTx,
  teamId: string,
  campaignContactIds: readonly string[],
): Promise<string[]> {
  const valid = uuidsOnly(campaignContactIds);
  if (valid.length === 0) return [];
  const rows = await db
    .selectDistinct({ actorUserId: activitiesTable.actorUserId })
    .from(activitiesTable)
    .where(and(eq(activitiesTable.teamId, teamId), inArray(activitiesTable.campaignContactId, valid)));
  return rows.flatMap((r) => (r.actorUserId ? [r.actorUserId] : []));
}
