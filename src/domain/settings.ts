// Settings resolution: team defaults, the default field mapping, and the precedence + lock rules that
// turn team, personal, campaign and per-person settings into one EffectiveSync. Pure: no I/O.
import {
  type ContactData,
  type ContactVariable,
  type EffectiveSync,
  type FieldMapping,
  type FieldUpdatePolicy,
  type FieldValue,
  OUTREACH_CHANNELS,
  type SettingSource,
  type SettingSourceEntry,
  type SyncAs,
  type SyncOptions,
  type TeamSyncSettings,
  type UserSyncSettings,
} from './types.js';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** The defaults of the DESIGN.md settings table; frozen because every team shares them. */
export const TEAM_SETTINGS_DEFAULTS: Readonly<TeamSyncSettings> = deepFreeze({
  syncManualContactUpdates: true,
  addApplicationWhen: 'INTERESTED',
  onlyAddNotesToSyncedRecords: true,
  displayedFields: ['job', 'stage'],
  mandatoryFields: ['job'],
  fieldUpdatePolicy: 'ONLY_IF_BLANK',
  activityNoteTypes: ['MESSAGE_SENT', 'REPLY_RECEIVED', 'MARKED_INTERESTED'],
  noteChannels: [...OUTREACH_CHANNELS],
  suppressPinpointNotifications: true,
  lockedForMembers: false,
  stopOutreachOnAtsOutcome: true,
});

/** The mapping a team starts with and returns to on `resetFieldMappings`. */
export const DEFAULT_FIELD_MAPPINGS: readonly Readonly<FieldMapping>[] = deepFreeze([
  { pinpointField: 'first_name', variable: 'FIRST_NAME', updatePolicy: null },
  { pinpointField: 'last_name', variable: 'LAST_NAME', updatePolicy: null },
  { pinpointField: 'email', variable: 'EMAIL', updatePolicy: null },
  { pinpointField: 'phone', variable: 'PHONE', updatePolicy: null },
  { pinpointField: 'linkedin_url', variable: 'LINKEDIN_URL', updatePolicy: null },
]);

/**
 * Pinpoint's standard candidate attributes a contact variable may be mapped to. Company, job title and
 * free-text location have no standard attribute in Pinpoint, so they go to `custom:<id>` fields.
 */
export const PINPOINT_STANDARD_ATTRIBUTES = [
  'first_name',
  'last_name',
  'email',
  'phone',
  'linkedin_url',
  'address1',
  'address2',
  'town',
  'postcode',
  'country',
] as const;

/** Field keys that are tags rather than mapped attributes. */
export const TAG_FIELDS = ['job', 'stage', 'tags'] as const;

const CUSTOM_FIELD_PREFIX = 'custom:';

export function isCustomFieldKey(key: string): boolean {
  return key.startsWith(CUSTOM_FIELD_PREFIX) && key.length > CUSTOM_FIELD_PREFIX.length;
}

/** The Pinpoint custom field id of a `custom:<id>` key, else null. */
export function customFieldId(key: string): string | null {
  return isCustomFieldKey(key) ? key.slice(CUSTOM_FIELD_PREFIX.length) : null;
}

/** True for the keys a FieldValue or a mandatory-field list may name. */
export function isFieldKey(key: string): boolean {
  return (
    (TAG_FIELDS as readonly string[]).includes(key) ||
    (PINPOINT_STANDARD_ATTRIBUTES as readonly string[]).includes(key) ||
    isCustomFieldKey(key)
  );
}

// ---------------------------------------------------------------------------------------------------
// Effective sync

export interface CampaignSyncInput {
  syncAs: SyncAs;
  options: SyncOptions | null;
  /** Whether the options were last written by an admin: only those survive a team lock. */
  optionsSetByAdmin: boolean;
  fieldValues: readonly FieldValue[];
}

export interface OverrideSyncInput {
  syncAs: SyncAs | null;
  options: SyncOptions | null;
  optionsSetByAdmin: boolean;
  fieldValues: readonly FieldValue[];
}

export interface EffectiveSyncInput {
  team: TeamSyncSettings;
  /** The campaign's owner, whose personal defaults apply to the campaign. */
  owner: { isAdmin: boolean; settings: UserSyncSettings | null };
  campaign: CampaignSyncInput;
  override: OverrideSyncInput | null;
}

type OptionKey = keyof Required<SyncOptions>;

/** The options a campaign or an override may set (the `SyncOptions` fields), in `sources` order. */
export const SYNC_OPTION_KEYS = [
  'addApplicationWhen',
  'onlyAddNotesToSyncedRecords',
  'fieldUpdatePolicy',
  'activityNoteTypes',
  'noteChannels',
] as const satisfies readonly OptionKey[];

interface Level {
  source: SettingSource;
  values: SyncOptions & UserSyncSettings;
}

/** Picks the most specific level that sets `key` (non-null); the team default otherwise. */
function pick<K extends keyof TeamSyncSettings & keyof UserSyncSettings>(
  key: K,
  levels: readonly Level[],
  team: TeamSyncSettings,
): { value: NonNullable<TeamSyncSettings[K]>; source: SettingSource } {
  for (const level of levels) {
    const value = level.values[key];
    if (value !== null && value !== undefined) {
      return { value: value as NonNullable<TeamSyncSettings[K]>, source: level.source };
    }
  }
  return { value: team[key] as NonNullable<TeamSyncSettings[K]>, source: 'TEAM' };
}

/**
 * Merges tags by field: later lists win per field (the override's over the campaign's). An entry wins
 * even when empty, so an override can clear a campaign tag. Order: first appearance.
 */
function mergeFieldValues(layers: readonly { source: SettingSource; values: readonly FieldValue[] }[]): {
  fieldValues: FieldValue[];
  sources: SettingSourceEntry[];
} {
  const merged = new Map<string, { value: FieldValue; source: SettingSource }>();
  for (const layer of layers) {
    for (const fv of layer.values) {
      merged.set(fv.field, {
        value: { field: fv.field, value: fv.value, values: fv.values ? [...fv.values] : null },
        source: layer.source,
      });
    }
  }
  const entries = [...merged.values()];
  return {
    fieldValues: entries.map((e) => e.value),
    sources: entries.map((e) => ({ setting: `fieldValues.${e.value.field}`, source: e.source })),
  };
}

/**
 * Resolves the settings for one contact in one campaign (or, with `override: null`, for the campaign).
 * Precedence per setting: person override > campaign > owner's personal defaults > team defaults.
 * When the team is locked, a member owner's personal defaults and options not set by an admin are
 * ignored (they fall through to the next level); Sync as and tags are never locked.
 */
export function resolveEffectiveSync(input: EffectiveSyncInput): EffectiveSync {
  const { team, owner, campaign, override } = input;
  const locked = team.lockedForMembers;
  const honoured = (setByAdmin: boolean) => !locked || setByAdmin;

  const levels: Level[] = [];
  if (override?.options && honoured(override.optionsSetByAdmin)) {
    levels.push({ source: 'OVERRIDE', values: override.options });
  }
  if (campaign.options && honoured(campaign.optionsSetByAdmin)) {
    levels.push({ source: 'CAMPAIGN', values: campaign.options });
  }
  const userLevel: Level[] =
    owner.settings && honoured(owner.isAdmin) ? [{ source: 'USER', values: owner.settings }] : [];
  levels.push(...userLevel);

  const sources: SettingSourceEntry[] = [];
  const note = <T>(setting: string, picked: { value: T; source: SettingSource }): T => {
    sources.push({ setting, source: picked.source });
    return picked.value;
  };

  const syncAs = note<SyncAs>(
    'syncAs',
    override?.syncAs
      ? { value: override.syncAs, source: 'OVERRIDE' }
      : { value: campaign.syncAs, source: 'CAMPAIGN' },
  );
  const addApplicationWhen = note('addApplicationWhen', pick('addApplicationWhen', levels, team));
  const onlyAddNotesToSyncedRecords = note(
    'onlyAddNotesToSyncedRecords',
    pick('onlyAddNotesToSyncedRecords', levels, team),
  );
  const fieldUpdatePolicy = note('fieldUpdatePolicy', pick('fieldUpdatePolicy', levels, team));
  const activityNoteTypes = note('activityNoteTypes', pick('activityNoteTypes', levels, team));
  const noteChannels = note('noteChannels', pick('noteChannels', levels, team));
  // Not a campaign option: only the owner's personal default can change it.
  const syncManualContactUpdates = note(
    'syncManualContactUpdates',
    pick('syncManualContactUpdates', userLevel, team),
  );
  const suppressPinpointNotifications = note('suppressPinpointNotifications', {
    value: team.suppressPinpointNotifications,
    source: 'TEAM',
  });
  const mandatoryFields = note('mandatoryFields', { value: team.mandatoryFields, source: 'TEAM' });

  const tags = mergeFieldValues([
    { source: 'CAMPAIGN', values: campaign.fieldValues },
    { source: 'OVERRIDE', values: override?.fieldValues ?? [] },
  ]);
  sources.push(...tags.sources);

  return {
    syncAs,
    addApplicationWhen,
    onlyAddNotesToSyncedRecords,
    fieldUpdatePolicy,
    // Copies, so a caller mutating the result cannot reach the team's or a campaign's stored lists.
    activityNoteTypes: [...activityNoteTypes],
    noteChannels: [...noteChannels],
    syncManualContactUpdates,
    suppressPinpointNotifications,
    mandatoryFields: [...mandatoryFields],
    fieldValues: tags.fieldValues,
    sources,
  };
}

/** The campaign-level effective settings (what `Campaign.effectiveSync` shows): no person override. */
export function resolveCampaignEffectiveSync(input: Omit<EffectiveSyncInput, 'override'>): EffectiveSync {
  return resolveEffectiveSync({ ...input, override: null });
}

/** The source `resolveEffectiveSync` named for `setting`, if it resolved one. */
export function sourceOf(effective: EffectiveSync, setting: string): SettingSource | undefined {
  return effective.sources.find((s) => s.setting === setting)?.source;
}

// ---------------------------------------------------------------------------------------------------
// Field rules

/** The update policy for one Pinpoint field: its mapping's own policy, else the effective default. */
export function fieldUpdatePolicyFor(
  pinpointField: string,
  mappings: readonly FieldMapping[],
  effective: Pick<EffectiveSync, 'fieldUpdatePolicy'>,
): FieldUpdatePolicy {
  return mappings.find((m) => m.pinpointField === pinpointField)?.updatePolicy ?? effective.fieldUpdatePolicy;
}

const CONTACT_KEY_OF_VARIABLE = {
  FIRST_NAME: 'firstName',
  LAST_NAME: 'lastName',
  EMAIL: 'email',
  PHONE: 'phone',
  COMPANY: 'company',
  JOB_TITLE: 'jobTitle',
  LOCATION: 'location',
  LINKEDIN_URL: 'linkedinUrl',
} as const satisfies Record<ContactVariable, keyof ContactData>;

/** The contact's value for a variable, trimmed; null when absent or blank. */
export function contactVariableValue(contact: ContactData, variable: ContactVariable): string | null {
  const raw = contact[CONTACT_KEY_OF_VARIABLE[variable]];
  const trimmed = raw?.trim();
  return trimmed ? trimmed : null;
}

/** Pinpoint requires these on every application, whatever the team's mandatory list says. */
const ALWAYS_REQUIRED = [
  { field: 'first_name', variable: 'FIRST_NAME' },
  { field: 'last_name', variable: 'LAST_NAME' },
  { field: 'email', variable: 'EMAIL' },
] as const satisfies readonly { field: string; variable: ContactVariable }[];

function hasValue(fv: FieldValue | undefined): boolean {
  if (!fv) return false;
  if (fv.value?.trim()) return true;
  return (fv.values ?? []).some((v) => v.trim() !== '');
}

export interface MandatoryFieldsInput {
  mandatoryFields: readonly string[];
  fieldValues: readonly FieldValue[];
  contact: ContactData;
  mappings: readonly FieldMapping[];
}

/**
 * The field keys a push would lack, in a stable order: Pinpoint's always-required attributes and the
 * job first, then the team's mandatory fields. A field is filled by a non-empty tag, or by a mapping
 * from a contact variable that is non-empty on the contact; first name, last name and email are also
 * filled by the contact's own data. The job is always required because Pinpoint cannot create an
 * application without one, even if a team removed it from its mandatory list.
 */
export function missingMandatoryFields(input: MandatoryFieldsInput): string[] {
  const { mandatoryFields, fieldValues, contact, mappings } = input;
  const byField = new Map(fieldValues.map((fv) => [fv.field, fv]));
  const filledByMapping = (field: string) =>
    mappings.some((m) => m.pinpointField === field && contactVariableValue(contact, m.variable) !== null);
  const filled = (field: string) => {
    const builtIn = ALWAYS_REQUIRED.find((r) => r.field === field);
    if (builtIn && contactVariableValue(contact, builtIn.variable) !== null) return true;
    return hasValue(byField.get(field)) || filledByMapping(field);
  };

  const required = [...ALWAYS_REQUIRED.map((r) => r.field), 'job', ...mandatoryFields];
  return [...new Set(required)].filter((field) => !filled(field));
}
