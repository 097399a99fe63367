// Drizzle schema: every table of the service (<entity>Table) but the audit log's (audit-schema.ts);
// every row belongs to a team. Enum values come from the vocabularies in src/domain/types.ts.
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import {
  ACTIVITY_TYPES,
  ATS_OUTCOMES,
  CONNECTION_STATUSES,
  CONTACT_STAGES,
  INTEGRATION_PROVIDERS,
  INTEGRATION_STATUS_CODES,
  NOTE_STATUSES,
  OUTREACH_CHANNELS,
  ROLES,
  SYNC_AS,
  SYNC_EVENT_KINDS,
  SYNC_JOB_STATUSES,
  SYNC_STATUSES,
} from '../domain/types.js';

const id = () =>
  uuid('id')
    .primaryKey()
    .$defaultFn(() => crypto.randomUUID());
const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const updatedAt = () =>
  timestamp('updated_at', { withTimezone: true, mode: 'date' })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());

export const roleEnum = pgEnum('role', ROLES);

export const teamsTable = pgTable('teams', {
  id: id(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

/** The owning team: every team-scoped row goes when its team does. */
function teamId() {
  return uuid('team_id')
    .notNull()
    .references(() => teamsTable.id, { onDelete: 'cascade' });
}

export const usersTable = pgTable(
  'users',
  {
    id: id(),
    teamId: teamId(),
    email: text('email').notNull(),
    role: roleEnum('role').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_team_email_unique').on(t.teamId, sql`lower(${t.email})`)],
);

export const apiTokensTable = pgTable(
  'api_tokens',
  {
    id: id(),
    teamId: teamId(),
    userId: uuid('user_id')
      .notNull()
      .references(() => usersTable.id, { onDelete: 'cascade' }),
    /** SHA-256 of the token, hex; the token itself is never stored. */
    tokenHash: text('token_hash').notNull(),
    /** First characters of the token, so people can tell their tokens apart. */
    prefix: text('prefix').notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [uniqueIndex('api_tokens_hash_unique').on(t.tokenHash), index('api_tokens_user_idx').on(t.userId)],
);

// ── Integrations (issue: connect Pinpoint) ─────────────────────────────────────────────────────────

export const integrationProviderEnum = pgEnum('integration_provider', INTEGRATION_PROVIDERS);
export const connectionStatusEnum = pgEnum('connection_status', CONNECTION_STATUSES);
export const integrationStatusCodeEnum = pgEnum('integration_status_code', INTEGRATION_STATUS_CODES);

export const integrationsTable = pgTable(
  'integrations',
  {
    id: id(),
    teamId: teamId(),
    provider: integrationProviderEnum('provider').notNull(),
    status: connectionStatusEnum('status').notNull().default('NOT_CONNECTED'),
    /** Machine-readable reason for ERROR (a refused key) or a failed check (UNREACHABLE). */
    statusCode: integrationStatusCodeEnum('status_code'),
    statusReason: text('status_reason'),
    domain: text('domain'),
    /** AES-256-GCM sealed API key (see src/secrets); never returned. */
    apiKeySealed: text('api_key_sealed'),
    apiKeyHint: text('api_key_hint'),
    connectedAt: timestamp('connected_at', { withTimezone: true, mode: 'date' }),
    lastCheckedAt: timestamp('last_checked_at', { withTimezone: true, mode: 'date' }),
    /** Bumped on every key change, so jobs paused by an old key resume on re-activation. */
    keyGeneration: integer('key_generation').notNull().default(0),
    /** Circuit breaker state, shared by every worker through the database. */
    breakerFailures: integer('breaker_failures').notNull().default(0),
    breakerOpenUntil: timestamp('breaker_open_until', { withTimezone: true, mode: 'date' }),
    /** The opaque, unguessable id in the webhook URL (/webhooks/pinpoint/<id>); deliveries are signed. */
    webhookId: text('webhook_id')
      .notNull()
      .default(sql`replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', '')`),
    /** AES-256-GCM sealed webhook signing secret (AAD binds team and integration); never returned. */
    webhookSecretSealed: text('webhook_secret_sealed'),
    webhookSecretHint: text('webhook_secret_hint'),
    webhookSecretSetAt: timestamp('webhook_secret_set_at', { withTimezone: true, mode: 'date' }),
    /** When the last correctly signed delivery arrived (duplicates included). */
    lastWebhookAt: timestamp('last_webhook_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('integrations_team_provider_unique').on(t.teamId, t.provider),
    uniqueIndex('integrations_webhook_id_unique').on(t.webhookId),
  ],
);

/**
 * An integration's next free request slot (the shared rate limit). Kept apart from the integration
 * row: reserving a slot happens before every Pinpoint request, and job claims lock the integration
 * row with SKIP LOCKED, so sharing the row made claims come back empty under load.
 */
export const integrationRateLimitsTable = pgTable('integration_rate_limits', {
  integrationId: uuid('integration_id')
    .primaryKey()
    .references(() => integrationsTable.id, { onDelete: 'cascade' }),
  nextRequestAt: timestamp('next_request_at', { withTimezone: true, mode: 'date' }).notNull(),
});

// ── Settings (issue: settings, mapping, campaigns) ────────────────────────────────────────────────

export const teamSettingsTable = pgTable('team_settings', {
  teamId: teamId().primaryKey(),
  /** Only the settings the team changed; absent keys take the defaults of src/domain. */
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
  /** null = the default mapping. */
  fieldMappings: jsonb('field_mappings').$type<unknown[] | null>(),
  updatedAt: updatedAt(),
});

export const userSettingsTable = pgTable('user_settings', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => usersTable.id, { onDelete: 'cascade' }),
  teamId: teamId(),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
  updatedAt: updatedAt(),
});

export const contactsTable = pgTable(
  'contacts',
  {
    id: id(),
    teamId: teamId(),
    email: text('email').notNull(),
    firstName: text('first_name'),
    lastName: text('last_name'),
    phone: text('phone'),
    company: text('company'),
    jobTitle: text('job_title'),
    location: text('location'),
    linkedinUrl: text('linkedin_url'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('contacts_team_email_unique').on(t.teamId, sql`lower(${t.email})`)],
);

export const syncAsEnum = pgEnum('sync_as', SYNC_AS);
export const outreachChannelEnum = pgEnum('outreach_channel', OUTREACH_CHANNELS);
export const contactStageEnum = pgEnum('contact_stage', CONTACT_STAGES);
export const syncStatusEnum = pgEnum('sync_status', SYNC_STATUSES);
export const activityTypeEnum = pgEnum('activity_type', ACTIVITY_TYPES);
export const atsOutcomeEnum = pgEnum('ats_outcome', ATS_OUTCOMES);

export const campaignsTable = pgTable(
  'campaigns',
  {
    id: id(),
    teamId: teamId(),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => usersTable.id),
    name: text('name').notNull(),
    channel: outreachChannelEnum('channel').notNull(),
    syncAs: syncAsEnum('sync_as').notNull(),
    /** Per-campaign SyncOptions (null = inherit all). */
    options: jsonb('options').$type<Record<string, unknown> | null>(),
    optionsSetByAdmin: boolean('options_set_by_admin').notNull().default(false),
    fieldValues: jsonb('field_values').$type<unknown[]>().notNull().default([]),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('campaigns_team_created_idx').on(t.teamId, t.createdAt, t.id)],
);

export const campaignContactsTable = pgTable(
  'campaign_contacts',
  {
    id: id(),
    teamId: teamId(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaignsTable.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contactsTable.id, { onDelete: 'cascade' }),
    stage: contactStageEnum('stage').notNull().default('ADDED'),
    syncStatus: syncStatusEnum('sync_status').notNull().default('NOT_SYNCED'),
    lastSyncError: text('last_sync_error'),
    /** Fields found missing at the last push attempt (BLOCKED). */
    blockedFields: jsonb('blocked_fields').$type<string[]>().notNull().default([]),
    pinpointCandidateId: text('pinpoint_candidate_id'),
    pinpointApplicationId: text('pinpoint_application_id'),
    pinpointJobId: text('pinpoint_job_id'),
    overrideSyncAs: syncAsEnum('override_sync_as'),
    overrideOptions: jsonb('override_options').$type<Record<string, unknown> | null>(),
    overrideOptionsSetByAdmin: boolean('override_options_set_by_admin').notNull().default(false),
    overrideFieldValues: jsonb('override_field_values').$type<unknown[] | null>(),
    /** null = no override. */
    overrideUpdatedAt: timestamp('override_updated_at', { withTimezone: true, mode: 'date' }),
    /** When the push last completed (status became SYNCED): the reconciler's window starts here. */
    pinpointSyncedAt: timestamp('pinpoint_synced_at', { withTimezone: true, mode: 'date' }),
    // What Pinpoint last said about the linked application (issue 13); all null until it said something.
    atsStageId: text('ats_stage_id'),
    atsStageName: text('ats_stage_name'),
    atsOutcome: atsOutcomeEnum('ats_outcome'),
    /** When the application last changed in Pinpoint (its updated_at, else when we first saw the change). */
    atsUpdatedAt: timestamp('ats_updated_at', { withTimezone: true, mode: 'date' }),
    /** When the application was last re-read, or queued for it (webhook or reconciler). */
    atsCheckedAt: timestamp('ats_checked_at', { withTimezone: true, mode: 'date' }),
    outreachStopped: boolean('outreach_stopped').notNull().default(false),
    outreachStoppedReason: text('outreach_stopped_reason'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('campaign_contacts_campaign_contact_unique').on(t.campaignId, t.contactId),
    index('campaign_contacts_team_application_idx').on(t.teamId, t.pinpointApplicationId),
    index('campaign_contacts_campaign_idx').on(t.campaignId, t.createdAt, t.id),
    index('campaign_contacts_contact_idx').on(t.contactId),
  ],
);

// ── Sync engine (issue: outbox, workers, idempotent pushes) ────────────────────────────────────────

export const noteStatusEnum = pgEnum('note_status', NOTE_STATUSES);

export const activitiesTable = pgTable(
  'activities',
  {
    id: id(),
    teamId: teamId(),
    campaignContactId: uuid('campaign_contact_id')
      .notNull()
      .references(() => campaignContactsTable.id, { onDelete: 'cascade' }),
    type: activityTypeEnum('type').notNull(),
    channel: outreachChannelEnum('channel'),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date' }).notNull(),
    subject: text('subject'),
    body: text('body'),
    /** Who did it (for the note's "by Jane Doe"). */
    actorUserId: uuid('actor_user_id').references(() => usersTable.id),
    noteStatus: noteStatusEnum('note_status').notNull().default('NOT_APPLICABLE'),
    pinpointCommentId: text('pinpoint_comment_id'),
    createdAt: createdAt(),
  },
  (t) => [index('activities_cc_idx').on(t.campaignContactId, t.occurredAt, t.createdAt)],
);

/** Event ids already seen from the outreach product (it may deliver an event twice). */
export const processedEventsTable = pgTable(
  'processed_events',
  {
    teamId: teamId(),
    eventId: text('event_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.eventId] })],
);

export const syncJobStatusEnum = pgEnum('sync_job_status', SYNC_JOB_STATUSES);

/** The transactional outbox: one row per piece of work for Pinpoint, written with the state change. */
export const syncJobsTable = pgTable(
  'sync_jobs',
  {
    id: id(),
    teamId: teamId(),
    campaignContactId: uuid('campaign_contact_id')
      .notNull()
      .references(() => campaignContactsTable.id, { onDelete: 'cascade' }),
    /**
     * The contact behind the campaign contact: jobs of one contact run one at a time across all its
     * campaigns, so two campaigns never both look a person up and both create them in Pinpoint.
     */
    contactId: uuid('contact_id').references(() => contactsTable.id, { onDelete: 'cascade' }),
    /** Versioned, zod-checked payload (the event that caused the job). No secrets. */
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: syncJobStatusEnum('status').notNull().default('QUEUED'),
    attempts: integer('attempts').notNull().default(0),
    runAt: timestamp('run_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    leaseOwner: text('lease_owner'),
    leaseUntil: timestamp('lease_until', { withTimezone: true, mode: 'date' }),
    lastError: text('last_error'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('sync_jobs_ready_idx').on(t.status, t.runAt),
    index('sync_jobs_cc_idx').on(t.campaignContactId, t.createdAt),
    index('sync_jobs_contact_idx').on(t.contactId, t.createdAt),
    index('sync_jobs_team_idx').on(t.teamId, t.status),
    // The claim walks a team's live jobs oldest first and stops at the first heads of their queues:
    // without it, every claim sorted all of the team's queued jobs (7 ms at 1,000, O(n) per job).
    index('sync_jobs_queue_idx')
      .on(t.teamId, t.createdAt, t.id)
      .where(sql`${t.status} in ('QUEUED', 'RUNNING')`),
  ],
);

export const syncEventKindEnum = pgEnum('sync_event_kind', SYNC_EVENT_KINDS);

export const syncEventsTable = pgTable(
  'sync_events',
  {
    id: id(),
    teamId: teamId(),
    campaignId: uuid('campaign_id').references(() => campaignsTable.id, { onDelete: 'cascade' }),
    campaignContactId: uuid('campaign_contact_id').references(() => campaignContactsTable.id, {
      onDelete: 'cascade',
    }),
    kind: syncEventKindEnum('kind').notNull(),
    /** The contact's sync status right after this event. */
    status: syncStatusEnum('status'),
    message: text('message').notNull(),
    createdAt: createdAt(),
    /** Place in the team's log, in commit order (drawn under db/sync-event-log.ts's lock). */
    position: bigserial('position', { mode: 'number' }).notNull(),
  },
  (t) => [
    index('sync_events_team_position_idx').on(t.teamId, t.position),
    index('sync_events_campaign_position_idx').on(t.campaignId, t.position),
  ],
);

/** Inbound webhooks (issue 13), the inbox: each signed delivery, stored before any work, once per dedupe key (Pinpoint retries). */
export const webhookDeliveriesTable = pgTable(
  'webhook_deliveries',
  {
    id: id(),
    teamId: uuid('team_id')
      .notNull()
      .references(() => teamsTable.id, { onDelete: 'cascade' }),
    integrationId: uuid('integration_id')
      .notNull()
      .references(() => integrationsTable.id, { onDelete: 'cascade' }),
    /** `id:<delivery id header>` when Pinpoint sent one, else `sha256:<hex of the raw body>`. */
    dedupeKey: text('dedupe_key').notNull(),
    event: text('event').notNull(),
    applicationId: text('application_id'),
    body: jsonb('body').$type<unknown>().notNull(),
    /** What was done with it: `REFRESH_QUEUED`, `UNLINKED` (no contact of ours) or `IGNORED` (event not acted on). */
    outcome: text('outcome').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_dedupe_unique').on(t.integrationId, t.dedupeKey),
    index('webhook_deliveries_team_received_idx').on(t.teamId, t.receivedAt),
  ],
);
