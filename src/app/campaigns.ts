// Campaigns: create, change their sync settings, list and read them, and resolve their effective sync.
// Also the validation of sync options and tags ("field values") shared with per-person overrides.
import { and, eq } from 'drizzle-orm';
import {
  campaignSyncOf,
  compactOptions,
  type SyncOptionsInput,
  syncOptionsSchema,
} from '../db/queries/mappers.js';
import { campaignsPage } from '../db/queries/reads.js';
import { campaignContactsTable, campaignsTable } from '../db/schema.js';
import { resolveCampaignEffectiveSync } from '../domain/settings.js';
import type { EffectiveSync, FieldValue, OutreachChannel, SyncAs, SyncOptions } from '../domain/types.js';
import {
  type FieldIssue,
  ForbiddenError,
  issuesToFieldErrors,
  NotFoundError,
  SettingsLockedError,
  ValidationError,
} from '../errors.js';
import { type AppContext, viewerOf } from './context.js';
import { uuidsOnly } from './identity.js';
import { type CampaignRow, type Loaders, loadersOf, type Page, type PageArgs, primeRows } from './loaders.js';
import { enqueueAndMarkPending } from './sync.js';

// ── Sync options and tags (campaigns and overrides) ───────────────────────────────────────────────

export const MAX_FIELD_VALUES = 50;
const MAX_TAG_VALUES = 100;

/** Options as clients send them (each null = inherit); enums are already checked by GraphQL. */
export type { SyncOptionsInput } from '../db/queries/mappers.js';

export interface FieldValueInput {
  field: string;
  value?: string | null;
  values?: readonly string[] | null;
}

/** Drops unset keys and repeated list entries; null when nothing is set (inherit everything). */
export function normalizeOptions(input: SyncOptionsInput | null | undefined): SyncOptions | null {
  if (!input) return null;
  const parsed = syncOptionsSchema.safeParse(input);
  if (!parsed.success)
    throw new ValidationError('Invalid sync options', issuesToFieldErrors(parsed.error.issues));
  return compactOptions(parsed.data);
}

const TAG_FIELD_KEY = /^(?:job|stage|tags|custom:\d{1,20})$/;

/**
 * Checks tags: a known field key (`job`, `stage`, `tags` or `custom:<digits>` — whether the custom
 * field exists is checked by the settings validation), `value` xor `values` (`tags` takes `values`,
 * `job` and `stage` take `value`), no field twice. An empty value is allowed: on an override it clears
 * the campaign's tag. Returns trimmed values; every problem is reported with its path under `prefix`.
 */
export function validateFieldValues(
  input: readonly FieldValueInput[],
  prefix: readonly string[],
): { fieldValues: FieldValue[]; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const at = (index: number, key: string, message: string) =>
    issues.push({ path: [...prefix, String(index), key], message });
  if (input.length > MAX_FIELD_VALUES) {
    issues.push({ path: [...prefix], message: `At most ${MAX_FIELD_VALUES} field values` });
  }
  const seen = new Set<string>();
  const fieldValues = input.map((fv, index): FieldValue => {
    const field = fv.field.trim();
    const value = fv.value === null || fv.value === undefined ? null : fv.value.trim();
    const values = fv.values === null || fv.values === undefined ? null : fv.values.map((v) => v.trim());
    if (!TAG_FIELD_KEY.test(field)) {
      at(index, 'field', 'Unknown field: use job, stage, tags or custom:<id> (see pinpointFields)');
    } else if (seen.has(field)) {
      at(index, 'field', `"${field}" is given twice; give each field once`);
    }
    seen.add(field);
    if ((value === null) === (values === null)) {
      at(index, 'value', 'Give either `value` or `values`, not both and not neither');
    } else if (field === 'tags' && value !== null) {
      at(index, 'values', '`tags` takes a list: use `values`');
    } else if ((field === 'job' || field === 'stage') && values !== null) {
      at(index, 'value', `\`${field}\` takes one id: use \`value\``);
    }
    if (value !== null && value.length > 500) at(index, 'value', 'At most 500 characters');
    if (values !== null) {
      if (values.length > MAX_TAG_VALUES) at(index, 'values', `At most ${MAX_TAG_VALUES} values`);
      if (values.some((v) => v === '' || v.length > 200)) {
        at(index, 'values', 'Each value must be 1 to 200 characters');
      }
    }
    return { field, value, values: values ? [...new Set(values)] : null };
  });
  return { fieldValues, issues };
}

/**
 * The lock rule for writes: while the team is locked, a member may not set options, nor clear options
 * an admin set. (Options a member set before the lock are ignored by resolution anyway, so clearing
 * them is allowed.) `next` undefined = the input leaves options alone.
 */
export function assertMayChangeOptions(
  locked: boolean,
  isAdmin: boolean,
  next: SyncOptions | null | undefined,
  current: { options: SyncOptions | null; setByAdmin: boolean },
): void {
  if (!locked || isAdmin || next === undefined) return;
  if (next !== null || (current.options !== null && current.setByAdmin)) {
    throw new SettingsLockedError(
      'A team admin locked sync options for non-admins. You can still change Sync as and tags.',
    );
  }
}

// ── Reading ────────────────────────────────────────────────────────────────────────────────────────

export { campaignSyncOf, storedFieldValues, storedOptions } from '../db/queries/mappers.js';

/** The campaign owner as the settings resolution sees them (batched through the loaders). */
export async function ownerOf(loaders: Loaders, ownerId: string) {
  const [user, settings] = await Promise.all([
    loaders.users.load(ownerId),
    loaders.userSettings.load(ownerId),
  ]);
  return { isAdmin: user?.role === 'ADMIN', settings };
}

export async function campaignEffectiveSync(loaders: Loaders, campaign: CampaignRow): Promise<EffectiveSync> {
  const [team, owner] = await Promise.all([loaders.teamSettings(), ownerOf(loaders, campaign.ownerId)]);
  return resolveCampaignEffectiveSync({ team: team.settings, owner, campaign: campaignSyncOf(campaign) });
}

/** `campaign(id)`: another team's id and unknown ids both answer NOT_FOUND. */
export async function getCampaign(ctx: AppContext, id: string): Promise<CampaignRow> {
  const row = await loadersOf(ctx).campaigns.load(id);
  if (!row) throw new NotFoundError('No campaign with this id in your team.');
  return row;
}

/** The team's campaigns, newest first. */
export async function listCampaigns(ctx: AppContext, page: PageArgs): Promise<Page<CampaignRow>> {
  const { teamId } = viewerOf(ctx);
  const result = await campaignsPage(ctx.db, teamId, page);
  primeRows(loadersOf(ctx).campaigns, result.rows);
  return result;
}

export async function countCampaigns(ctx: AppContext): Promise<number> {
  const { teamId } = viewerOf(ctx);
  return ctx.db.$count(campaignsTable, eq(campaignsTable.teamId, teamId));
}

// ── Writing ────────────────────────────────────────────────────────────────────────────────────────

export interface CreateCampaignInput {
  name: string;
  channel: OutreachChannel;
  syncAs: SyncAs;
  options?: SyncOptionsInput | null;
  fieldValues?: readonly FieldValueInput[] | null;
}

export interface CampaignSyncChange {
  syncAs?: SyncAs | null;
  options?: SyncOptionsInput | null;
  fieldValues?: readonly FieldValueInput[] | null;
}

function validName(name: string, issues: FieldIssue[]): string {
  const trimmed = name.trim();
  if (trimmed === '') issues.push({ path: ['input', 'name'], message: 'Enter a campaign name' });
  if (trimmed.length > 200) issues.push({ path: ['input', 'name'], message: 'At most 200 characters' });
  return trimmed;
}

function optionsOrIssues(input: SyncOptionsInput | null | undefined, issues: FieldIssue[]) {
  try {
    return normalizeOptions(input);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    issues.push(...error.fieldErrors.map((e) => ({ ...e, path: ['input', 'options', ...e.path] })));
    return null;
  }
}

/** Creates a campaign owned by the viewer. Members of a locked team may not set options. */
export async function createCampaign(ctx: AppContext, input: CreateCampaignInput): Promise<CampaignRow> {
  const viewer = viewerOf(ctx);
  const isAdmin = viewer.role === 'ADMIN';
  const issues: FieldIssue[] = [];
  const name = validName(input.name, issues);
  const options = optionsOrIssues(input.options, issues);
  const tags = validateFieldValues(input.fieldValues ?? [], ['input', 'fieldValues']);
  issues.push(...tags.issues);
  if (issues.length > 0)
    throw new ValidationError('The campaign has invalid fields; nothing was saved.', issues);

  const loaders = loadersOf(ctx);
  const { settings } = await loaders.teamSettings();
  assertMayChangeOptions(settings.lockedForMembers, isAdmin, options, { options: null, setByAdmin: false });

  const [row] = await ctx.db
    .insert(campaignsTable)
    .values({
      teamId: viewer.teamId,
      ownerId: viewer.userId,
      name,
      channel: input.channel,
      syncAs: input.syncAs,
      options: options as Record<string, unknown> | null,
      optionsSetByAdmin: isAdmin,
      fieldValues: tags.fieldValues,
    })
    .returning();
  if (!row) throw new Error('insert into campaigns returned no row');
  primeRows(loaders.campaigns, [row]);
  return row;
}

/**
 * Changes a campaign's Sync as, options and tags. Absent keys keep their value; `options: null` clears
 * the options (inherit all), `fieldValues: []` clears the tags. The owner or an admin may change it;
 * another member of the team gets FORBIDDEN (they can see the campaign, so NOT_FOUND would lie).
 * Every contact of the campaign gets a SETTINGS_CHANGED job, so a lowered trigger pushes them.
 */
export async function updateCampaignSync(
  ctx: AppContext,
  id: string,
  input: CampaignSyncChange,
): Promise<CampaignRow> {
  const viewer = viewerOf(ctx);
  const isAdmin = viewer.role === 'ADMIN';
  const loaders = loadersOf(ctx);
  const current = uuidsOnly([id]).length > 0 ? await loaders.campaigns.load(id) : null;
  if (!current) throw new NotFoundError('No campaign with this id in your team.');
  if (!isAdmin && current.ownerId !== viewer.userId) {
    throw new ForbiddenError('Only the campaign owner or a team admin may change its sync settings.');
  }

  const issues: FieldIssue[] = [];
  const options = input.options === undefined ? undefined : optionsOrIssues(input.options, issues);
  const tags =
    input.fieldValues === undefined || input.fieldValues === null
      ? null
      : validateFieldValues(input.fieldValues, ['input', 'fieldValues']);
  issues.push(...(tags?.issues ?? []));
  if (issues.length > 0) throw new ValidationError('Invalid sync settings; nothing was saved.', issues);

  const { settings } = await loaders.teamSettings();
  const currentSync = campaignSyncOf(current);
  assertMayChangeOptions(settings.lockedForMembers, isAdmin, options, {
    options: currentSync.options,
    setByAdmin: current.optionsSetByAdmin,
  });

  const next = {
    syncAs: input.syncAs ?? current.syncAs,
    options: options === undefined ? currentSync.options : options,
    optionsSetByAdmin: options === undefined ? current.optionsSetByAdmin : isAdmin,
    fieldValues: tags ? tags.fieldValues : currentSync.fieldValues,
  };
  if (JSON.stringify(next) === JSON.stringify(currentSync)) return current;

  const updated = await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .update(campaignsTable)
      .set({
        ...next,
        options: next.options as Record<string, unknown> | null,
        fieldValues: [...next.fieldValues],
      })
      .where(and(eq(campaignsTable.id, current.id), eq(campaignsTable.teamId, viewer.teamId)))
      .returning();
    const contacts = await tx
      .select({ id: campaignContactsTable.id })
      .from(campaignContactsTable)
      .where(
        and(
          eq(campaignContactsTable.teamId, viewer.teamId),
          eq(campaignContactsTable.campaignId, current.id),
        ),
      );
    await enqueueAndMarkPending(
      tx,
      viewer.teamId,
      contacts.map((c) => ({ campaignContactId: c.id, event: { kind: 'SETTINGS_CHANGED' } })),
    );
    return row;
  });
  if (!updated) throw new NotFoundError('No campaign with this id in your team.');
  primeRows(loaders.campaigns, [updated]);
  return updated;
}
