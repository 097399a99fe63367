// Batched, team-scoped reads (every statement carries the team): by id, keyset pages, counts, users,
// personal and team settings. Request DataLoaders (src/app/loaders.ts) and the sync context use them.
import { and, asc, count, desc, eq, getTableColumns, inArray, type SQL, sql } from 'drizzle-orm';
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
import { inUuids, runPrepared } from './prepared.js';
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

const teamParam = sql.placeholder('teamId');

export async function contactsById(
  db: DbOrTx,
  teamId: string,
  ids: readonly string[],
): Promise<ContactRow[]> {
  const valid = uuidsOnly(ids);
  if (valid.length === 0) return [];
  const c = contactsTable;
  return runPrepared(
    db,
    'contacts_by_id',
    (d) =>
      d
        .select()
        .from(c)
        .where(and(eq(c.teamId, teamParam), inUuids(c.id, 'ids'))),
    { teamId, ids: valid },
  );
}

export async function campaignsById(
  db: DbOrTx,
  teamId: string,
  ids: readonly string[],
): Promise<CampaignRow[]> {
  const valid = uuidsOnly(ids);
  if (valid.length === 0) return [];
  const c = campaignsTable;
  return runPrepared(
    db,
    'campaigns_by_id',
    (d) =>
      d
        .select()
        .from(c)
        .where(and(eq(c.teamId, teamParam), inUuids(c.id, 'ids'))),
    { teamId, ids: valid },
  );
}

export async function campaignContactsById(
  db: DbOrTx,
  teamId: string,
  ids: readonly string[],
): Promise<CampaignContactRow[]> {
  const valid = uuidsOnly(ids);
  if (valid.length === 0) return [];
  const cc = campaignContactsTable;
  return runPrepared(
    db,
    'campaign_contacts_by_id',
    (d) =>
      d
        .select()
        .from(cc)
        .where(and(eq(cc.teamId, teamParam), inUuids(cc.id, 'ids'))),
    { teamId, ids: valid },
  );
}

export async function usersById(db: DbOrTx, teamId: string, ids: readonly string[]): Promise<UserRow[]> {
  const valid = uuidsOnly(ids);
  if (valid.length === 0) return [];
  const u = usersTable;
  return runPrepared(
    db,
    'users_by_id',
    (d) =>
      d
        .select()
        .from(u)
        .where(and(eq(u.teamId, teamParam), inUuids(u.id, 'ids'))),
    { teamId, ids: valid },
  );
}

/** A user of the team and their personal defaults (`{}` without any). */
export interface UserWithSettings {
  readonly user: UserRow;
  readonly settings: UserSyncSettings;
}

/**
 * Users of one team with their personal defaults, in ONE statement (campaign owners are read with
 * both: whether they are admins, and their defaults).
 */
export async function usersWithSettingsById(
  db: DbOrTx,
  teamId: string,
  ids: readonly string[],
): Promise<UserWithSettings[]> {
  const valid = uuidsOnly(ids);
  if (valid.length === 0) return [];
  const u = usersTable;
  const us = userSettingsTable;
  const rows = await runPrepared(
    db,
    'users_with_settings_by_id',
    (d) =>
      d
        .select({ user: u, settings: us.settings })
        .from(u)
        .leftJoin(us, and(eq(us.userId, u.id), eq(us.teamId, u.teamId)))
        .where(and(eq(u.teamId, teamParam), inUuids(u.id, 'ids'))),
    { teamId, ids: valid },
  );
  return rows.map((row) => ({
    user: row.user,
    settings: row.settings === null ? {} : userSettingsFromRow(row.settings),
  }));
}

export async function teamsById(
  db: DbOrTx,
  viewerTeamId: string,
  ids: readonly string[],
): Promise<TeamRow[]> {
  // A team can only ever see itself.
  if (!ids.includes(viewerTeamId)) return [];
  return runPrepared(
    db,
    'team_by_id',
    (d) => d.select().from(teamsTable).where(eq(teamsTable.id, teamParam)),
    { teamId: viewerTeamId },
  );
}

/** A page of the team's campaigns, newest first (one row more than asked: `toPage` cuts it). */
export async function campaignsPage(db: DbOrTx, teamId: string, page: PageArgs): Promise<Page<CampaignRow>> {
  const after = page.after;
  const rows = await runPrepared(
    db,
    after ? 'campaigns_page_after' : 'campaigns_page',
    (d) => {
      const c = campaignsTable;
      const afterCursor: SQL | undefined = after
        ? sql`(${c.createdAt}, ${c.id}) < (${sql.placeholder('afterCreatedAt')}::timestamptz, ${sql.placeholder('afterId')}::uuid)`
        : undefined;
      return d
        .select({ campaign: c, cursorCreatedAt: sql<string>`${c.createdAt}::text` })
        .from(c)
        .where(and(eq(c.teamId, teamParam), afterCursor))
        .orderBy(desc(c.createdAt), desc(c.id))
        .limit(sql.placeholder('limit'));
    },
    {
      teamId,
      limit: page.first + 1,
      ...(after ? { afterCreatedAt: after.createdAt, afterId: after.id } : {}),
    },
  );
  return toPage(
    rows.map((r) => ({ ...r.campaign, cursorCreatedAt: r.cursorCreatedAt })),
    page.first,
  );
}

/**
 * Pages of contacts of the campaigns `$ids`, `$limit` rows each, after `$afterCreatedAt, $afterId`,
 * each row with its contact (a page is almost always shown with its people).
 */
function campaignContactPagesQuery(db: DbOrTx, withAfter: boolean) {
  const cc = campaignContactsTable;
  const keys = db
    .select({ campaignId: campaignsTable.id })
    .from(campaignsTable)
    .where(and(eq(campaignsTable.teamId, teamParam), inUuids(campaignsTable.id, 'ids')))
    .as('k');
  const afterCursor: SQL | undefined = withAfter
    ? sql`(${cc.createdAt}, ${cc.id}) > (${sql.placeholder('afterCreatedAt')}::timestamptz, ${sql.placeholder('afterId')}::uuid)`
    : undefined;
  const pageOf = db
    .select({
      ...getTableColumns(cc),
      cursorCreatedAt: sql<string>`${cc.createdAt}::text`.as('cursor_created_at'),
    })
    .from(cc)
    .where(and(eq(cc.teamId, teamParam), sql`${cc.campaignId} = ${keys.campaignId}`, afterCursor))
    .orderBy(asc(cc.createdAt), asc(cc.id))
    .limit(sql.placeholder('limit'))
    .as('p');
  const c = contactsTable;
  return db
    .select()
    .from(keys)
    .innerJoinLateral(pageOf, sql`true`)
    .innerJoin(c, and(eq(c.id, pageOf.contactId), eq(c.teamId, teamParam)))
    .orderBy(keys.campaignId, pageOf.createdAt, pageOf.id);
}

export interface CampaignContactPages {
  readonly pages: Map<string, Page<CampaignContactRow>>;
  /** The contacts of the pages' rows (each once). */
  readonly contacts: ContactRow[];
}

/**
 * The first page of contacts of many campaigns in ONE statement: a lateral join runs the keyset page
 * query (index campaign_contacts_campaign_idx) once per campaign, so 20 campaigns cost one round trip,
 * and the rows' contacts come with them.
 */
export async function campaignContactPages(
  db: DbOrTx,
  teamId: string,
  campaignIds: readonly string[],
  page: PageArgs,
): Promise<CampaignContactPages> {
  const pages = new Map<string, Page<CampaignContactRow>>();
  const valid = uuidsOnly(campaignIds);
  if (valid.length === 0 || page.first === 0) {
    for (const id of campaignIds) pages.set(id, { rows: [], cursors: [], hasNextPage: false });
    return { pages, contacts: [] };
  }
  const after = page.after;
  const rows = await runPrepared(
    db,
    after ? 'campaign_contact_pages_after' : 'campaign_contact_pages',
    (d) => campaignContactPagesQuery(d, after !== null),
    {
      teamId,
      ids: valid,
      limit: page.first + 1,
      ...(after ? { afterCreatedAt: after.createdAt, afterId: after.id } : {}),
    },
  );
  const grouped = new Map<string, (CampaignContactRow & { cursorCreatedAt: string })[]>();
  const contacts = new Map<string, ContactRow>();
  for (const { p, contacts: c } of rows) {
    const list = grouped.get(p.campaignId) ?? [];
    list.push(p);
    grouped.set(p.campaignId, list);
    contacts.set(c.id, c);
  }
  for (const id of campaignIds) pages.set(id, toPage(grouped.get(id) ?? [], page.first));
  return { pages, contacts: [...contacts.values()] };
}

export async function campaignContactCounts(
  db: DbOrTx,
  teamId: string,
  campaignIds: readonly string[],
): Promise<Map<string, number>> {
  const valid = uuidsOnly(campaignIds);
  const counts = new Map<string, number>(campaignIds.map((id) => [id, 0]));
  if (valid.length === 0) return counts;
  const cc = campaignContactsTable;
  const rows = await runPrepared(
    db,
    'campaign_contact_counts',
    (d) =>
      d
        .select({ campaignId: cc.campaignId, total: count() })
        .from(cc)
        .where(and(eq(cc.teamId, teamParam), inUuids(cc.campaignId, 'ids')))
        .groupBy(cc.campaignId),
    { teamId, ids: valid },
  );
  for (const row of rows) counts.set(row.campaignId, Number(row.total));
  return counts;
}

export async function loadTeamSettings(db: DbOrTx, teamId: string): Promise<TeamSettingsRecord> {
  const ts = teamSettingsTable;
  const rows = await runPrepared(
    db,
    'team_settings',
    (d) =>
      d
        .select({ settings: ts.settings, fieldMappings: ts.fieldMappings })
        .from(ts)
        .where(eq(ts.teamId, teamParam)),
    { teamId },
  );
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
  const us = userSettingsTable;
  const rows = await runPrepared(
    db,
    'user_settings',
    (d) =>
      d
        .select({ userId: us.userId, settings: us.settings })
        .from(us)
        .where(and(eq(us.teamId, teamParam), inUuids(us.userId, 'ids'))),
    { teamId, ids: valid },
  );
  for (const row of rows) result.set(row.userId, userSettingsFromRow(row.settings));
  return result;
}

/** The team's Pinpoint subdomain (null when never connected). */
export async function pinpointDomainOf(db: DbOrTx, teamId: string): Promise<string | null> {
  const i = integrationsTable;
  const rows = await runPrepared(
    db,
    'pinpoint_domain',
    (d) =>
      d
        .select({ domain: i.domain })
        .from(i)
        .where(and(eq(i.teamId, teamParam), eq(i.provider, 'PINPOINT'))),
    { teamId },
  );
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
