// The per-person sync override of a campaign contact, set from the Chrome extension.
import { and, eq } from 'drizzle-orm';
import { overrideOf } from '../db/queries/mappers.js';
import { campaignContactsTable } from '../db/schema.js';
import type { FieldValue, SyncAs, SyncOptions } from '../domain/types.js';
import { type FieldIssue, NotFoundError, ValidationError } from '../errors.js';
import { loadCampaignContact } from './campaign-contacts.js';
import {
  assertMayChangeOptions,
  type FieldValueInput,
  normalizeOptions,
  type SyncOptionsInput,
  validateFieldValues,
} from './campaigns.js';
import { type AppContext as Context, viewerOf } from './context.js';
import { type CampaignContactRow, loadersOf, primeRows } from './loaders.js';
import { enqueueAndMarkPending } from './sync.js';

// ── Per-person override ────────────────────────────────────────────────────────────────────────────

export interface SyncOverrideChange {
  syncAs?: SyncAs | null;
  options?: SyncOptionsInput | null;
  fieldValues?: readonly FieldValueInput[] | null;
}

async function saveOverride(
  ctx: Context,
  row: CampaignContactRow,
  next: {
    overrideSyncAs: SyncAs | null;
    overrideOptions: SyncOptions | null;
    overrideOptionsSetByAdmin: boolean;
    overrideFieldValues: FieldValue[] | null;
  },
): Promise<CampaignContactRow> {
  const { teamId } = viewerOf(ctx);
  const empty =
    next.overrideSyncAs === null && next.overrideOptions === null && next.overrideFieldValues === null;
  const updated = await ctx.db.transaction(async (tx) => {
    const [saved] = await tx
      .update(campaignContactsTable)
      .set({
        ...next,
        overrideOptions: next.overrideOptions as Record<string, unknown> | null,
        overrideOptionsSetByAdmin: empty ? false : next.overrideOptionsSetByAdmin,
        overrideUpdatedAt: empty ? null : new Date(),
      })
      .where(and(eq(campaignContactsTable.id, row.id), eq(campaignContactsTable.teamId, teamId)))
      .returning();
    if (saved) {
      const pending = await enqueueAndMarkPending(tx, teamId, [
        { campaignContactId: saved.id, event: { kind: 'SETTINGS_CHANGED' } },
      ]);
      if (pending.has(saved.id)) saved.syncStatus = 'PENDING';
    }
    return saved;
  });
  if (!updated) throw new NotFoundError('No campaign contact with this id in your team.');
  primeRows(loadersOf(ctx).campaignContacts, [updated]);
  return updated;
}

/**
 * Sets the per-person override of one contact in one campaign (any team member may). Absent keys keep
 * the override's current value; null clears that part (`syncAs`/`options` inherit from the campaign,
 * `fieldValues` null or [] = no own tags); an override with nothing left is removed. Tags merge over the
 * campaign's by field. While the team is locked, members may change Sync as and tags but not options.
 */
export async function setSyncOverride(
  ctx: Context,
  campaignContactId: string,
  input: SyncOverrideChange,
): Promise<CampaignContactRow> {
  const viewer = viewerOf(ctx);
  const isAdmin = viewer.role === 'ADMIN';
  const row = await loadCampaignContact(ctx, campaignContactId);

  const issues: FieldIssue[] = [];
  let options: SyncOptions | null | undefined;
  try {
    options = input.options === undefined ? undefined : normalizeOptions(input.options);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    issues.push(...error.fieldErrors.map((e) => ({ ...e, path: ['input', 'options', ...e.path] })));
  }
  const tags =
    input.fieldValues === undefined || input.fieldValues === null
      ? null
      : validateFieldValues(input.fieldValues, ['input', 'fieldValues']);
  issues.push(...(tags?.issues ?? []));
  if (issues.length > 0) throw new ValidationError('Invalid override; nothing was saved.', issues);

  const { settings } = await loadersOf(ctx).teamSettings();
  const current = overrideOf(row);
  assertMayChangeOptions(settings.lockedForMembers, isAdmin, options, {
    options: current?.options ?? null,
    setByAdmin: row.overrideOptionsSetByAdmin,
  });

  const fieldValues =
    input.fieldValues === undefined ? (current?.fieldValues ?? []) : (tags?.fieldValues ?? []);
  return saveOverride(ctx, row, {
    overrideSyncAs: input.syncAs === undefined ? (current?.syncAs ?? null) : input.syncAs,
    overrideOptions: options === undefined ? (current?.options ?? null) : options,
    overrideOptionsSetByAdmin: options === undefined ? row.overrideOptionsSetByAdmin : isAdmin,
    overrideFieldValues: fieldValues.length > 0 ? [...fieldValues] : null,
  });
}

/**
 * Removes the per-person override (any team member may), so the campaign's settings apply again.
 * While the team is locked, a member cannot remove options an admin set (SettingsLockedError).
 */
export async function clearSyncOverride(
  ctx: Context,
  campaignContactId: string,
): Promise<CampaignContactRow> {
  const viewer = viewerOf(ctx);
  const row = await loadCampaignContact(ctx, campaignContactId);
  const current = overrideOf(row);
  if (!current) return row;
  const { settings } = await loadersOf(ctx).teamSettings();
  assertMayChangeOptions(settings.lockedForMembers, viewer.role === 'ADMIN', null, {
    options: current.options,
    setByAdmin: row.overrideOptionsSetByAdmin,
  });
  return saveOverride(ctx, row, {
    overrideSyncAs: null,
    overrideOptions: null,
    overrideOptionsSetByAdmin: false,
    overrideFieldValues: null,
  });
}
