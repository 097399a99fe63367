// The enums of campaigns, campaign contacts and the sync engine: Sync as, contact stage, sync status,
// where a resolved setting came from, sync event kinds and planned actions. Built from the arrays in
// src/domain (one definition per vocabulary).
import { SYNC_ACTION_TYPES } from '../../domain/sync-actions.js';
import {
  CONTACT_STAGES,
  SETTING_SOURCES,
  SYNC_AS,
  SYNC_EVENT_KINDS,
  SYNC_STATUSES,
} from '../../domain/types.js';
import { vocabularyEnum } from '../vocabulary.js';

export const SyncAsEnum = vocabularyEnum('SyncAs', {
  description: 'Whether the contacts of a campaign (or one contact, by override) are pushed to Pinpoint.',
  values: SYNC_AS,
  describe: {
    APPLICATION: 'Push the contact to Pinpoint as an Application when the trigger is reached.',
    DO_NOT_SYNC: 'Never push this contact: nothing is sent to Pinpoint.',
  },
});

export const ContactStageEnum = vocabularyEnum('ContactStage', {
  description: 'How far a contact got in a campaign; INTERESTED implies REPLIED.',
  values: CONTACT_STAGES,
  describe: {
    ADDED: 'Added to the campaign; no reply yet.',
    REPLIED: 'The contact replied.',
    INTERESTED: 'The contact was marked interested.',
  },
});

export const SyncStatusEnum = vocabularyEnum('SyncStatus', {
  description: 'Where a campaign contact stands with Pinpoint.',
  values: SYNC_STATUSES,
  describe: {
    NOT_SYNCED: 'Nothing pushed yet (the trigger is not reached, or nothing was tried).',
    PENDING: 'A push is queued or running.',
    SYNCED: 'The Application exists in Pinpoint (`pinpointApplicationId` is set).',
    BLOCKED: 'Mandatory fields are missing (see `missingMandatoryFields`); fill them and retry.',
    FAILED: 'Pushing failed after retries (see `lastSyncError`); `retrySync` tries again.',
    SKIPPED: 'Not pushed on purpose, e.g. Sync as is DO_NOT_SYNC.',
  },
});

export const SettingSourceEnum = vocabularyEnum('SettingSource', {
  description:
    'Which level a resolved setting came from (most specific wins: OVERRIDE > CAMPAIGN > USER > TEAM).',
  values: SETTING_SOURCES,
  describe: {
    TEAM: 'The team default (integration settings page).',
    USER: 'The campaign owner’s personal default.',
    CAMPAIGN: 'The campaign’s own setting.',
    OVERRIDE: 'The per-person override set for this contact (Chrome extension).',
  },
});

export const SyncEventKindEnum = vocabularyEnum('SyncEventKind', {
  description: 'What a sync event records: a decision or an outcome of the sync engine for one contact.',
  values: SYNC_EVENT_KINDS,
  describe: {
    QUEUED: 'Work for this contact was queued.',
    CREATED: 'The Application (and, if needed, the candidate) was created in Pinpoint.',
    LINKED: 'An Application that already existed in Pinpoint was linked to this contact.',
    UPDATED: 'Mapped contact fields were written to the Pinpoint candidate.',
    NOTED: 'An activity note was written to Pinpoint.',
    NOTE_HELD: 'An activity note is kept until the Application exists; it is written then, in order.',
    BLOCKED: 'Mandatory fields are missing; nothing was sent (see the message).',
    SKIPPED: 'Nothing was sent, on purpose (the message says why).',
    FAILED: 'Pinpoint refused the push; it needs a fix before `retrySync`.',
    RETRYING: 'A temporary failure; the engine retries automatically.',
    DEAD: 'The engine gave up after its retries; `retrySync` tries again.',
    PAUSED: 'Syncing is paused because Pinpoint refused the API key; an admin must activate again.',
    ATS_STAGE_CHANGED:
      'Pinpoint moved the contact’s Application to another stage (see `CampaignContact.atsStatus`).',
    ATS_OUTCOME:
      'Pinpoint’s outcome for the contact’s Application changed: hired, rejected, withdrawn, or active again. The outreach engine reads it, with `CampaignContact.outreachStopped`.',
    ATS_EVENT_IGNORED:
      'Pinpoint sent a webhook event this product does not act on; it was stored and ignored (the message names it).',
  },
});

export const SyncActionEnum = vocabularyEnum('SyncAction', {
  description: 'An action the sync policy can plan for one contact (see `syncPreview`).',
  values: SYNC_ACTION_TYPES,
  describe: {
    PUSH_APPLICATION:
      'Create (or link) the contact’s Application on the tagged Pinpoint job, then write held notes.',
    WRITE_NOTE: 'Write an activity note to the contact’s Pinpoint record.',
    HOLD_NOTE: 'Keep an activity note until the Application exists.',
    UPDATE_FIELDS: 'Write changed mapped fields to the contact’s Pinpoint candidate.',
    BLOCK: 'Do not push: mandatory fields are missing.',
    SKIP: 'Do nothing (the reason says why).',
  },
});
