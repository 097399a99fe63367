// The vocabulary of the Pinpoint integration: the contract's enums as string-literal unions (each with
// its values as a readonly array, so the GraphQL and DB layers derive their enums from one place) and
// the settings, field-value and contact shapes the pure policy works on.

export const SYNC_AS = ['APPLICATION', 'DO_NOT_SYNC'] as const;
export type SyncAs = (typeof SYNC_AS)[number];

/** In trigger order: a later value needs a contact further along. NEVER comes last and is never reached. */
export const ADD_APPLICATION_WHEN = ['ADDED_TO_CAMPAIGN', 'REPLIED', 'INTERESTED', 'NEVER'] as const;
export type AddApplicationWhen = (typeof ADD_APPLICATION_WHEN)[number];

export const FIELD_UPDATE_POLICIES = ['ALWAYS_UPDATE', 'ONLY_IF_BLANK'] as const;
export type FieldUpdatePolicy = (typeof FIELD_UPDATE_POLICIES)[number];

/** In progression order: INTERESTED implies REPLIED. */
export const CONTACT_STAGES = ['ADDED', 'REPLIED', 'INTERESTED'] as const;
export type ContactStage = (typeof CONTACT_STAGES)[number];

export const OUTREACH_CHANNELS = ['EMAIL', 'LINKEDIN', 'INMAIL', 'SMS', 'CALL'] as const;
export type OutreachChannel = (typeof OUTREACH_CHANNELS)[number];

export const ACTIVITY_TYPES = [
  'MESSAGE_SENT',
  'REPLY_RECEIVED',
  'MARKED_INTERESTED',
  'CALL_LOGGED',
  'MEETING_BOOKED',
] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

export const CONTACT_VARIABLES = [
  'FIRST_NAME',
  'LAST_NAME',
  'EMAIL',
  'PHONE',
  'COMPANY',
  'JOB_TITLE',
  'LOCATION',
  'LINKEDIN_URL',
] as const;
export type ContactVariable = (typeof CONTACT_VARIABLES)[number];

/** From least to most specific. */
export const SETTING_SOURCES = ['TEAM', 'USER', 'CAMPAIGN', 'OVERRIDE'] as const;
export type SettingSource = (typeof SETTING_SOURCES)[number];

// ── Vocabularies of records (one definition each: the PostgreSQL enums in src/db/schema.ts and the
// GraphQL enums in src/graphql/types derive from these arrays) ─────────────────────────────────────

export const ROLES = ['ADMIN', 'MEMBER'] as const;
export type Role = (typeof ROLES)[number];

export const INTEGRATION_PROVIDERS = ['PINPOINT'] as const;
export type IntegrationProvider = (typeof INTEGRATION_PROVIDERS)[number];

export const CONNECTION_STATUSES = ['NOT_CONNECTED', 'CONNECTED', 'ERROR'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/** Why Pinpoint refused an API key: 401 (unknown or revoked) or 403 (missing permission, API off). */
export const PINPOINT_AUTH_REASONS = ['INVALID_API_KEY', 'FORBIDDEN'] as const;
export type PinpointAuthReason = (typeof PINPOINT_AUTH_REASONS)[number];

/** The machine-readable reason an integration is not simply CONNECTED: a refused key, or a failed check. */
export const INTEGRATION_STATUS_CODES = [...PINPOINT_AUTH_REASONS, 'UNREACHABLE'] as const;
export type IntegrationStatusCode = (typeof INTEGRATION_STATUS_CODES)[number];

export const SYNC_STATUSES = ['NOT_SYNCED', 'PENDING', 'SYNCED', 'BLOCKED', 'FAILED', 'SKIPPED'] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];

/** What the sync engine recorded in the sync event log (DESIGN.md, the sync policy, rule 7). */
export const SYNC_EVENT_KINDS = [
  'QUEUED',
  'CREATED',
  'LINKED',
  'UPDATED',
  'NOTED',
  'NOTE_HELD',
  'BLOCKED',
  'SKIPPED',
  'FAILED',
  'RETRYING',
  'DEAD',
  'PAUSED',
  'ATS_STAGE_CHANGED',
  'ATS_OUTCOME',
  'ATS_EVENT_IGNORED',
] as const;
export type SyncEventKind = (typeof SYNC_EVENT_KINDS)[number];

/** Where an application stands in Pinpoint, as Pinpoint last told us (issue 13). */
export const ATS_OUTCOMES = ['ACTIVE', 'HIRED', 'REJECTED', 'WITHDRAWN'] as const;
export type AtsOutcome = (typeof ATS_OUTCOMES)[number];

/** Whether Pinpoint's webhooks reach us (see `webhookStatusOf` in domain/ats.ts). */
export const WEBHOOK_STATUSES = ['NOT_CONFIGURED', 'WAITING', 'RECEIVING', 'SILENT'] as const;
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number];

/** Where an activity's Pinpoint note stands. */
export const NOTE_STATUSES = ['NOT_APPLICABLE', 'PENDING', 'HELD', 'WRITTEN', 'SKIPPED'] as const;
export type NoteStatus = (typeof NOTE_STATUSES)[number];

/** An outbox job's state. */
export const SYNC_JOB_STATUSES = ['QUEUED', 'RUNNING', 'DONE', 'PAUSED', 'DEAD'] as const;
export type SyncJobStatus = (typeof SYNC_JOB_STATUSES)[number];

/** Team-wide admin changes the audit log records (see domain/audit.ts for what each one is about). */
export const AUDIT_ACTIONS = [
  'INTEGRATION_ACTIVATED',
  'API_KEY_ROTATED',
  'INTEGRATION_CHECKED',
  'INTEGRATION_DEACTIVATED',
  'WEBHOOK_SECRET_SET',
  'WEBHOOK_SECRET_ROTATED',
  'TEAM_SETTINGS_UPDATED',
  'FIELD_MAPPINGS_SET',
  'FIELD_MAPPINGS_RESET',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** What an audited admin change was made to. */
export const AUDIT_TARGETS = ['INTEGRATION', 'TEAM_SETTINGS', 'FIELD_MAPPINGS'] as const;
export type AuditTarget = (typeof AUDIT_TARGETS)[number];

/** Team defaults: `TeamSettings` of the contract without `fieldMappings` (those live in their own table). */
export interface TeamSyncSettings {
  syncManualContactUpdates: boolean;
  addApplicationWhen: AddApplicationWhen;
  onlyAddNotesToSyncedRecords: boolean;
  /** Pinpoint field keys users may tag: `job`, `stage`, `tags`, `custom:<id>`. */
  displayedFields: readonly string[];
  /** Field keys that must be filled before a push; always a subset of `displayedFields`. */
  mandatoryFields: readonly string[];
  fieldUpdatePolicy: FieldUpdatePolicy;
  activityNoteTypes: readonly ActivityType[];
  noteChannels: readonly OutreachChannel[];
  suppressPinpointNotifications: boolean;
  lockedForMembers: boolean;
  /** Mark a campaign contact outreach-stopped when Pinpoint says hired, rejected or withdrawn. */
  stopOutreachOnAtsOutcome: boolean;
}

/** A user's personal defaults for the campaigns they own; null or absent means "use the team's". */
export interface UserSyncSettings {
  syncManualContactUpdates?: boolean | null;
  addApplicationWhen?: AddApplicationWhen | null;
  onlyAddNotesToSyncedRecords?: boolean | null;
  fieldUpdatePolicy?: FieldUpdatePolicy | null;
  activityNoteTypes?: readonly ActivityType[] | null;
  noteChannels?: readonly OutreachChannel[] | null;
}

/**
 * The options a campaign or a per-person override may set; null or absent means "inherit".
 * An empty list is a set value ("no note types"), not "inherit".
 */
export interface SyncOptions {
  addApplicationWhen?: AddApplicationWhen | null;
  onlyAddNotesToSyncedRecords?: boolean | null;
  fieldUpdatePolicy?: FieldUpdatePolicy | null;
  activityNoteTypes?: readonly ActivityType[] | null;
  noteChannels?: readonly OutreachChannel[] | null;
}

/** A tag: `field` is a `PinpointField.key` (`job`, `stage`, `tags` or `custom:<id>`). */
export interface FieldValue {
  field: string;
  value: string | null;
  values: readonly string[] | null;
}

/** Pinpoint field ← contact variable. `updatePolicy` null means the effective default policy. */
export interface FieldMapping {
  /** A Pinpoint attribute name (`first_name`, `email`, `address1`, ...) or `custom:<id>`. */
  pinpointField: string;
  variable: ContactVariable;
  updatePolicy: FieldUpdatePolicy | null;
}

/** The contact data the policy reads; absent data is null. */
export interface ContactData {
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  company: string | null;
  jobTitle: string | null;
  location: string | null;
  linkedinUrl: string | null;
}

export interface SettingSourceEntry {
  /** The `EffectiveSync` field name, or `fieldValues.<field>` for a tag. */
  setting: string;
  source: SettingSource;
}

/** The settings that apply to one contact in one campaign (or to the campaign itself), resolved. */
export interface EffectiveSync {
  syncAs: SyncAs;
  addApplicationWhen: AddApplicationWhen;
  onlyAddNotesToSyncedRecords: boolean;
  fieldUpdatePolicy: FieldUpdatePolicy;
  activityNoteTypes: readonly ActivityType[];
  noteChannels: readonly OutreachChannel[];
  syncManualContactUpdates: boolean;
  suppressPinpointNotifications: boolean;
  mandatoryFields: readonly string[];
  fieldValues: readonly FieldValue[];
  sources: readonly SettingSourceEntry[];
}
