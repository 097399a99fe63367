// The audit log of team-wide admin changes: each use case that makes one records it here inside its
// own transaction (the entry commits with the change or not at all); admins read it newest first.
import { and, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { auditLogTable } from '../db/audit-schema.js';
import type { DbOrTx } from '../db/client.js';
import { type Page, type PageArgs, toPage } from '../db/queries/pages.js';
import { type IntegrationRow, uuidsOnly } from '../db/queries/rows.js';
import { AUDIT_TARGET_OF, auditChanges } from '../domain/audit.js';
import type { AuditAction, IntegrationProvider } from '../domain/types.js';
import { type AppContext, requireAdmin } from './context.js';
import type { Viewer } from './tokens.js';

export type AuditEntryRow = typeof auditLogTable.$inferSelect;

/** One admin change: the action and snapshots of what it touched, before and after. */
export interface AdminChange {
  readonly action: AuditAction;
  readonly provider?: IntegrationProvider;
  readonly before: object;
  readonly after: object;
}

/** Writes the entry for a change; call it in the transaction that makes the change. */
export async function recordAdminChange(tx: DbOrTx, viewer: Viewer, change: AdminChange): Promise<void> {
  const { before, after } = auditChanges(change.before, change.after);
  await tx.insert(auditLogTable).values({
    teamId: viewer.teamId,
    actorUserId: viewer.userId,
    action: change.action,
    target: AUDIT_TARGET_OF[change.action],
    provider: change.provider ?? null,
    before,
    after,
  });
}

/**
 * An integration's state and the key's hint, never the key: what the log keeps of it, and what the
 * API shows of it (app/integrations.ts).
 */
export function integrationSnapshot(row: Partial<IntegrationRow> | undefined) {
  return {
    status: row?.status ?? 'NOT_CONNECTED',
    statusCode: row?.statusCode ?? null,
    statusReason: row?.statusReason ?? null,
    domain: row?.domain ?? null,
    apiKeyHint: row?.apiKeyHint ?? null,
    connectedAt: row?.connectedAt ?? null,
    lastCheckedAt: row?.lastCheckedAt ?? null,
  };
}

/** What the log keeps of the webhook signing secret: its hint and when it was set, never the secret. */
export function webhookSecretSnapshot(
  row: Pick<IntegrationRow, 'webhookSecretHint' | 'webhookSecretSetAt'>,
): Record<string, unknown> {
  return { webhookSecretHint: row.webhookSecretHint, webhookSecretSetAt: row.webhookSecretSetAt };
}

export interface AuditFilter {
  /** Only these actions; null = all. */
  readonly actions: readonly AuditAction[] | null;
}

function filterOf(teamId: string, filter: AuditFilter): SQL | undefined {
  return and(
    eq(auditLogTable.teamId, teamId),
    filter.actions ? inArray(auditLogTable.action, [...filter.actions]) : undefined,
  );
}

/** The team's audit log, newest first (keyset pages on created_at, id). Admins only. */
export async function listAuditLog(
  ctx: AppContext,
  page: PageArgs,
  filter: AuditFilter,
): Promise<Page<AuditEntryRow>> {
  const { teamId } = requireAdmin(ctx);
  if (filter.actions?.length === 0) return { rows: [], cursors: [], hasNextPage: false };
  const a = auditLogTable;
  const after = page.after;
  const rows = await ctx.db
    .select({ entry: a, cursorCreatedAt: sql<string>`${a.createdAt}::text` })
    .from(a)
    .where(
      and(
        filterOf(teamId, filter),
        after
          ? sql`(${a.createdAt}, ${a.id}) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(a.createdAt), desc(a.id))
    .limit(page.first + 1);
  return toPage(
    rows.map((r) => ({ ...r.entry, cursorCreatedAt: r.cursorCreatedAt })),
    page.first,
  );
}

/** How many entries the filter matches in all. Admins only. */
export async function countAuditLog(ctx: AppContext, filter: AuditFilter): Promise<number> {
  const { teamId } = requireAdmin(ctx);
  if (filter.actions?.length === 0) return 0;
  return ctx.db.$count(auditLogTable, filterOf(teamId, filter));
}

/** Entries by id for `node(id)`: the viewer's team only, and nothing at all for a member. */
export async function loadAuditEntries(ctx: AppContext, ids: readonly string[]): Promise<AuditEntryRow[]> {
  const viewer = ctx.viewer;
  const valid = uuidsOnly(ids);
  if (viewer?.role !== 'ADMIN' || valid.length === 0) return [];
  return ctx.db
    .select()
    .from(auditLogTable)
    .where(and(eq(auditLogTable.teamId, viewer.teamId), inArray(auditLogTable.id, valid)));
}

export interface AuditChangeView {
  readonly field: string;
  /** JSON text of the value. */
  readonly before: string;
  readonly after: string;
}

/** The entry's changed fields, each value as JSON text. */
export function changesOf(row: AuditEntryRow): AuditChangeView[] {
  return Object.keys(row.after).map((field) => ({
    field,
    before: JSON.stringify(row.before[field] ?? null),
    after: JSON.stringify(row.after[field] ?? null),
  }));
}
