// Use cases for team settings, personal defaults and the field mapping: authorize → validate →
// one transaction (with its audit entry for team-wide changes). Rows keep only what a team or user
// set; src/db/queries reads them back.
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../db/client.js';
import { loadTeamSettings, loadUserSettings } from '../db/queries/reads.js';
import {
  eachNullable,
  MAX_SETTING_LIST,
  SYNC_OPTION_FIELDS,
  storedTeamSettingsSchema,
  storedUserSettingsSchema,
  type TeamSettingsRecord,
  teamSettingsFromRow,
} from '../db/queries/stored-settings.js';
import { teamSettingsTable, userSettingsTable } from '../db/schema.js';
import {
  type CustomFieldCatalog,
  dedupe,
  fieldMappingIssues,
  needsCustomFieldCatalog,
  teamSettingsIssues,
} from '../domain/settings-rules.js';
import {
  CONTACT_VARIABLES,
  FIELD_UPDATE_POLICIES,
  type FieldMapping,
  type TeamSyncSettings,
  type UserSyncSettings,
} from '../domain/types.js';
import {
  type FieldIssue,
  IntegrationNotConnectedError,
  issuesToFieldErrors,
  SettingsLockedError,
  ValidationError,
} from '../errors.js';
import { recordAdminChange } from './audit-log.js';
import { type AppContext, requireAdmin, viewerOf } from './context.js';
import { listPinpointFields } from './pinpoint-catalog.js';
import type { Viewer } from './tokens.js';

export type { TeamSettingsRecord } from '../db/queries/stored-settings.js';

const MAX_LIST = MAX_SETTING_LIST;
const MAX_MAPPINGS = 50;

// Blank or unknown keys are reported by the domain rules, together with every other problem.
const fieldKeyList = z
  .array(z.string().max(200, 'At most 200 characters'))
  .max(MAX_LIST, `At most ${MAX_LIST} fields`);

const teamSettingsInputSchema = z.strictObject({
  ...SYNC_OPTION_FIELDS,
  syncManualContactUpdates: z.boolean(),
  displayedFields: fieldKeyList,
  mandatoryFields: fieldKeyList,
  suppressPinpointNotifications: z.boolean(),
  lockedForMembers: z.boolean(),
  stopOutreachOnAtsOutcome: z.boolean(),
});

/** A partial update of the team's settings: absent keys keep their value; null is refused. */
export type TeamSettingsInput = { [K in keyof TeamSyncSettings]?: TeamSyncSettings[K] | null };

const userSettingsInputSchema = z.strictObject(
  eachNullable({ ...SYNC_OPTION_FIELDS, syncManualContactUpdates: z.boolean() }),
);

/** A partial update of personal defaults: absent keys keep their value; null clears one (team's applies). */
export type UserSettingsInput = UserSyncSettings;

const fieldMappingInputSchema = z
  .array(
    z.strictObject({
      pinpointField: z.string().trim().min(1, 'Enter a Pinpoint field').max(200, 'At most 200 characters'),
      variable: z.enum(CONTACT_VARIABLES),
      updatePolicy: z.enum(FIELD_UPDATE_POLICIES).nullish(),
    }),
  )
  .max(MAX_MAPPINGS, `At most ${MAX_MAPPINGS} mappings`);

export interface FieldMappingInput {
  pinpointField: string;
  variable: FieldMapping['variable'];
  updatePolicy?: FieldMapping['updatePolicy'] | undefined;
}

function invalid(message: string, fieldErrors: readonly FieldIssue[]): ValidationError {
  return new ValidationError(message, fieldErrors);
}

function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown, message: string): T {
  const result = schema.safeParse(input);
  if (!result.success) throw invalid(message, issuesToFieldErrors(result.error.issues, ['input']));
  return result.data;
}

/** Removes repeats from every list value, so stored lists never hold one value twice. */
function dedupeLists<T extends object>(values: T): T {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, Array.isArray(v) ? dedupe(v) : v]),
  ) as T;
}

/**
 * The team's custom fields from Pinpoint, or null when Pinpoint is not connected. Called before any
 * transaction opens (it may call Pinpoint); an outage is thrown as the catalog's PinpointUnreachableError.
 */
async function customFieldCatalog(ctx: AppContext, teamId: string): Promise<CustomFieldCatalog> {
  try {
    const fields = await listPinpointFields(ctx.services, teamId);
    return fields.filter((f) => f.custom).map((f) => ({ key: f.key, resourceType: f.resourceType }));
  } catch (error) {
    if (error instanceof IntegrationNotConnectedError) return null;
    throw error;
  }
}

/** Makes sure the team's row exists and locks it, so concurrent updates merge one after the other. */
async function lockTeamRow(tx: DbOrTx, teamId: string) {
  await tx.insert(teamSettingsTable).values({ teamId }).onConflictDoNothing();
  const [row] = await tx
    .select({ settings: teamSettingsTable.settings, fieldMappings: teamSettingsTable.fieldMappings })
    .from(teamSettingsTable)
    .where(eq(teamSettingsTable.teamId, teamId))
    .for('update');
  if (!row) throw new Error(`team_settings row for ${teamId} vanished inside its transaction`);
  return row;
}

// ---------------------------------------------------------------------------------------------------
// Reads

/** The viewer's team settings with defaults filled in. Any team member. */
export async function getTeamSettings(ctx: AppContext): Promise<TeamSettingsRecord> {
  return loadTeamSettings(ctx.db, viewerOf(ctx).teamId);
}

/** The viewer's personal defaults; keys they never set are absent (the team's apply). */
export async function getMySettings(ctx: AppContext): Promise<UserSyncSettings> {
  const viewer = viewerOf(ctx);
  const byUser = await loadUserSettings(ctx.db, viewer.teamId, [viewer.userId]);
  return byUser.get(viewer.userId) ?? {};
}

// ---------------------------------------------------------------------------------------------------
// Writes

/**
 * Changes the given team settings and keeps the rest. Admins only. Refuses null for any key, field
 * keys Pinpoint does not have, and mandatory fields that would not all be displayed afterwards.
 */
export async function updateTeamSettings(
  ctx: AppContext,
  input: TeamSettingsInput,
): Promise<TeamSettingsRecord> {
  const viewer = requireAdmin(ctx);
  const nulls = Object.entries(input)
    .filter(([, value]) => value === null)
    .map(([key]) => ({
      path: ['input', key],
      message: 'A team setting cannot be null; leave it out to keep the current value.',
    }));
  if (nulls.length > 0) throw invalid('Invalid team settings', nulls);
  const given = parseOrThrow(teamSettingsInputSchema.partial(), input, 'Invalid team settings');

  const keys = [...(given.displayedFields ?? []), ...(given.mandatoryFields ?? [])];
  const catalog = needsCustomFieldCatalog(keys) ? await customFieldCatalog(ctx, viewer.teamId) : [];

  return ctx.db.transaction(async (tx) => {
    const row = await lockTeamRow(tx, viewer.teamId);
    const stored = storedTeamSettingsSchema.safeParse(row.settings);
    const settings = { ...(stored.success ? stored.data : {}), ...dedupeLists(given) };
    const merged = teamSettingsFromRow({ settings, fieldMappings: row.fieldMappings });
    const issues = teamSettingsIssues(given, merged.settings, catalog);
    if (issues.length > 0) throw invalid('Invalid team settings', issues);
    await tx.update(teamSettingsTable).set({ settings }).where(eq(teamSettingsTable.teamId, viewer.teamId));
    await recordAdminChange(tx, viewer, {
      action: 'TEAM_SETTINGS_UPDATED',
      before: teamSettingsFromRow(row).settings,
      after: merged.settings,
    });
    return merged;
  });
}

/**
 * Sets (a value) or clears (null) the viewer's personal defaults; absent keys are kept. Any team
 * member, but refused with SettingsLockedError while the team locks settings for non-admins.
 */
export async function updateMySettings(ctx: AppContext, input: UserSettingsInput): Promise<UserSyncSettings> {
  const viewer = viewerOf(ctx);
  return ctx.db.transaction(async (tx) => {
    const team = await loadTeamSettings(tx, viewer.teamId);
    if (team.settings.lockedForMembers && viewer.role !== 'ADMIN') {
      throw new SettingsLockedError(
        'A team admin locked sync settings for non-admins, so personal defaults cannot be changed.',
      );
    }
    const given = dedupeLists(
      parseOrThrow(userSettingsInputSchema.partial(), input, 'Invalid personal settings'),
    );

    await tx
      .insert(userSettingsTable)
      .values({ userId: viewer.userId, teamId: viewer.teamId })
      .onConflictDoNothing();
    const [row] = await tx
      .select({ settings: userSettingsTable.settings })
      .from(userSettingsTable)
      .where(eq(userSettingsTable.userId, viewer.userId))
      .for('update');
    const stored = storedUserSettingsSchema.safeParse(row?.settings ?? {});
    const next: Record<string, unknown> = { ...(stored.success ? stored.data : {}) };
    for (const [key, value] of Object.entries(given)) {
      if (value === null) delete next[key];
      else next[key] = value;
    }
    await tx
      .update(userSettingsTable)
      .set({ settings: next })
      .where(eq(userSettingsTable.userId, viewer.userId));
    return storedUserSettingsSchema.parse(next);
  });
}

/**
 * Replaces the whole field mapping. Admins only. Each Pinpoint field at most once; EMAIL must stay
 * mapped to `email`; custom fields need Pinpoint connected and must exist with the right type.
 */
export async function setFieldMappings(
  ctx: AppContext,
  input: readonly FieldMappingInput[],
): Promise<TeamSettingsRecord> {
  const viewer = requireAdmin(ctx);
  const parsed = parseOrThrow(fieldMappingInputSchema, input, 'Invalid field mapping');
  const mappings: FieldMapping[] = parsed.map((m) => ({
    pinpointField: m.pinpointField,
    variable: m.variable,
    updatePolicy: m.updatePolicy ?? null,
  }));
  const keys = mappings.map((m) => m.pinpointField);
  const catalog = needsCustomFieldCatalog(keys) ? await customFieldCatalog(ctx, viewer.teamId) : [];
  const issues = fieldMappingIssues(mappings, catalog);
  if (issues.length > 0) throw invalid('Invalid field mapping', issues);
  return writeFieldMappings(ctx, viewer, mappings);
}

/** Returns the team to the default field mapping. Admins only. */
export async function resetFieldMappings(ctx: AppContext): Promise<TeamSettingsRecord> {
  const viewer = requireAdmin(ctx);
  return writeFieldMappings(ctx, viewer, null);
}

/** Stores the mapping (null = the default) and its audit entry; other settings stay as they are. */
async function writeFieldMappings(
  ctx: AppContext,
  viewer: Viewer,
  mappings: FieldMapping[] | null,
): Promise<TeamSettingsRecord> {
  return ctx.db.transaction(async (tx) => {
    const row = await lockTeamRow(tx, viewer.teamId);
    const [updated] = await tx
      .update(teamSettingsTable)
      .set({ fieldMappings: mappings })
      .where(eq(teamSettingsTable.teamId, viewer.teamId))
      .returning({ settings: teamSettingsTable.settings, fieldMappings: teamSettingsTable.fieldMappings });
    const after = teamSettingsFromRow(updated ?? { ...row, fieldMappings: mappings });
    await recordAdminChange(tx, viewer, {
      action: mappings ? 'FIELD_MAPPINGS_SET' : 'FIELD_MAPPINGS_RESET',
      before: mappingSnapshot(teamSettingsFromRow(row)),
      after: mappingSnapshot(after),
    });
    return after;
  });
}

/** What the log keeps of a mapping: the mapping in effect and whether it is the default one. */
function mappingSnapshot(record: TeamSettingsRecord): Record<string, unknown> {
  return { fieldMappings: record.fieldMappings, defaultFieldMappings: record.defaultMappings };
}
