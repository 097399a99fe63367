// Reading campaign contacts by what Pinpoint says about them: the ATS status view and the campaign
// dashboard's filter by outcome (one keyset page and one count per call, team-scoped).
import { and, asc, count, eq, getTableColumns, sql } from 'drizzle-orm';
import { type Context, viewerOf } from '../context.js';
import { campaignContactsTable } from '../db/schema.js';
import type { AtsOutcome } from '../domain/types.js';
import { uuidsOnly } from './identity.js';
import { type CampaignContactRow, type Page, type PageArgs, toPage } from './loaders.js';

export interface AtsStatusView {
  readonly stageName: string | null;
  readonly outcome: AtsOutcome;
  readonly updatedAt: Date;
  /** The row it came from, for the Pinpoint link. */
  readonly row: CampaignContactRow;
}

/** Null until Pinpoint told us something about the contact's application. */
export function atsStatusOf(row: CampaignContactRow): AtsStatusView | null {
  if (!row.atsOutcome || !row.atsUpdatedAt) return null;
  return { stageName: row.atsStageName, outcome: row.atsOutcome, updatedAt: row.atsUpdatedAt, row };
}

function outcomeFilter(teamId: string, campaignId: string, outcome: AtsOutcome) {
  const cc = campaignContactsTable;
  return and(eq(cc.teamId, teamId), eq(cc.campaignId, campaignId), eq(cc.atsOutcome, outcome));
}

/** A page (oldest first) of a campaign's contacts whose application has this outcome. */
export async function campaignContactsWithOutcome(
  ctx: Context,
  campaignId: string,
  page: PageArgs,
  outcome: AtsOutcome,
): Promise<Page<CampaignContactRow>> {
  const { teamId } = viewerOf(ctx);
  if (uuidsOnly([campaignId]).length === 0 || page.first === 0) {
    return { rows: [], cursors: [], hasNextPage: false };
  }
  const cc = campaignContactsTable;
  const after = page.after;
  const rows = await ctx.db
    .select({ ...getTableColumns(cc), cursorCreatedAt: sql<string>`${cc.createdAt}::text` })
    .from(cc)
    .where(
      and(
        outcomeFilter(teamId, campaignId, outcome),
        after
          ? sql`(${cc.createdAt}, ${cc.id}) > (${after.createdAt}::timestamptz, ${after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(asc(cc.createdAt), asc(cc.id))
    .limit(page.first + 1);
  return toPage(rows, page.first);
}

export async function countCampaignContactsWithOutcome(
  ctx: Context,
  campaignId: string,
  outcome: AtsOutcome,
): Promise<number> {
  if (uuidsOnly([campaignId]).length === 0) return 0;
  const [row] = await ctx.db
    .select({ total: count() })
    .from(campaignContactsTable)
    .where(outcomeFilter(viewerOf(ctx).teamId, campaignId, outcome));
  return Number(row?.total ?? 0);
}
