// Team settings, field mappings and users' personal defaults as stored: rows keep only what a team or
// user changed; these parsers fill in the defaults of src/domain and drop anything no longer valid.
import { z } from 'zod';
import { DEFAULT_FIELD_MAPPINGS, TEAM_SETTINGS_DEFAULTS } from '../../domain/settings.js';
import {
  ACTIVITY_TYPES,
  ADD_APPLICATION_WHEN,
  CONTACT_VARIABLES,
  FIELD_UPDATE_POLICIES,
  type FieldMapping,
  OUTREACH_CHANNELS,
  type TeamSyncSettings,
  type UserSyncSettings,
} from '../../domain/types.js';

/** Longest list a setting may hold (note types, channels, field keys). */
export const MAX_SETTING_LIST = 100;

/**
 * The sync options, as input fields: what a campaign or an override may set, and (with
 * `syncManualContactUpdates`) what team and personal settings hold. One definition for every schema.
 */
export const SYNC_OPTION_FIELDS = {
  addApplicationWhen: z.enum(ADD_APPLICATION_WHEN),
  onlyAddNotesToSyncedRecords: z.boolean(),
  fieldUpdatePolicy: z.enum(FIELD_UPDATE_POLICIES),
  activityNoteTypes: z.array(z.enum(ACTIVITY_TYPES)).max(MAX_SETTING_LIST),
  noteChannels: z.array(z.enum(OUTREACH_CHANNELS)).max(MAX_SETTING_LIST),
};

/** The same fields, each also accepting null ("inherit" / "use the team's"). */
export function eachNullable<T extends Record<string, z.ZodType>>(
  shape: T,
): { [K in keyof T]: z.ZodNullable<T[K]> } {
  return Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, v.nullable()])) as {
    [K in keyof T]: z.ZodNullable<T[K]>;
  };
}

export const storedTeamSettingsSchema = z
  .object({
    syncManualContactUpdates: z.boolean(),
    addApplicationWhen: z.enum(ADD_APPLICATION_WHEN),
    onlyAddNotesToSyncedRecords: z.boolean(),
    displayedFields: z.array(z.string()),
    mandatoryFields: z.array(z.string()),
    fieldUpdatePolicy: z.enum(FIELD_UPDATE_POLICIES),
    activityNoteTypes: z.array(z.enum(ACTIVITY_TYPES)),
    noteChannels: z.array(z.enum(OUTREACH_CHANNELS)),
    suppressPinpointNotifications: z.boolean(),
    lockedForMembers: z.boolean(),
    stopOutreachOnAtsOutcome: z.boolean(),
  })
  .partial();

export const storedUserSettingsSchema = z
  .object({
    syncManualContactUpdates: z.boolean().nullable(),
    addApplicationWhen: z.enum(ADD_APPLICATION_WHEN).nullable(),
    onlyAddNotesToSyncedRecords: z.boolean().nullable(),
    fieldUpdatePolicy: z.enum(FIELD_UPDATE_POLICIES).nullable(),
    activityNoteTypes: z.array(z.enum(ACTIVITY_TYPES)).nullable(),
    noteChannels: z.array(z.enum(OUTREACH_CHANNELS)).nullable(),
  })
  .partial();

export const fieldMappingSchema = z.object({
  pinpointField: z.string(),
  variable: z.enum(CONTACT_VARIABLES),
  updatePolicy: z.enum(FIELD_UPDATE_POLICIES).nullable(),
});

export interface TeamSettingsRecord {
  readonly settings: TeamSyncSettings;
  readonly fieldMappings: readonly FieldMapping[];
  /** True while the team uses the default mapping (never called setFieldMappings, or reset it). */
  readonly defaultMappings: boolean;
}

export function teamSettingsFromRow(
  row: { settings: unknown; fieldMappings: unknown } | undefined,
): TeamSettingsRecord {
  const stored = storedTeamSettingsSchema.safeParse(row?.settings ?? {});
  const mappings = z.array(fieldMappingSchema).safeParse(row?.fieldMappings);
  const useDefaults = row?.fieldMappings == null || !mappings.success;
  return {
    settings: { ...TEAM_SETTINGS_DEFAULTS, ...(stored.success ? stored.data : {}) },
    fieldMappings: useDefaults ? DEFAULT_FIELD_MAPPINGS : mappings.data,
    defaultMappings: useDefaults,
  };
}

/** A user's stored personal defaults; anything invalid reads as "nothing set". */
export function userSettingsFromRow(settings: unknown): UserSyncSettings {
  const parsed = storedUserSettingsSchema.safeParse(settings);
  return parsed.success ? parsed.data : {};
}
