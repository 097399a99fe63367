// The vocabulary of the sync policy: the events it is asked about and the actions it answers with,
// which the executor (sync/) performs and the dry run (syncPreview) shows.
import type {
  ActivityType,
  ContactData,
  ContactStage,
  ContactVariable,
  EffectiveSync,
  FieldMapping,
  FieldUpdatePolicy,
  FieldValue,
  OutreachChannel,
} from './types.js';

/** An outreach activity as recorded by the caller (its id is what notes are keyed by: one note each). */
export interface PolicyActivity {
  id: string;
  type: ActivityType;
  /** Null when the activity has no channel (e.g. a call or meeting logged by hand). */
  channel: OutreachChannel | null;
  /** ISO-8601; held notes are written in this order. */
  occurredAt: string;
  subject: string | null;
  body: string | null;
}

/**
 * What happened. The caller has already applied the event to its own state (stage advanced, contact
 * edited, activity stored) and passes the resulting stage and link.
 * - `REPLIED` carries the reply's own activities (REPLY_RECEIVED, plus MARKED_INTERESTED when
 *   interested), recorded by the caller, so that the push and the notes are decided together and the
 *   notes land after the push in one decision. Do not send them again as ACTIVITY events.
 * - `RETRY` and `SETTINGS_CHANGED` re-evaluate the push (a contact already past a newly lowered
 *   trigger is pushed then).
 */
export type PolicyEvent =
  | { kind: 'ADDED' }
  | { kind: 'REPLIED'; interested: boolean; activities: readonly PolicyActivity[] }
  | { kind: 'ACTIVITY'; activity: PolicyActivity }
  | { kind: 'CONTACT_EDITED'; changedVariables: readonly ContactVariable[] }
  | { kind: 'RETRY' }
  | { kind: 'SETTINGS_CHANGED' };

export type PolicyEventKind = PolicyEvent['kind'];

/** The remote records this contact is linked to in this campaign. */
export interface PinpointLink {
  candidateId: string | null;
  /** Set once the application was created or linked: the contact's "synced record". */
  applicationId: string | null;
}

export interface SyncDecisionInput {
  effective: EffectiveSync;
  mappings: readonly FieldMapping[];
  contact: ContactData;
  stage: ContactStage;
  link: PinpointLink;
  event: PolicyEvent;
}

/** One mapped attribute to write, with the policy that decides whether an existing value is replaced. */
export interface FieldWrite {
  pinpointField: string;
  variable: ContactVariable;
  policy: FieldUpdatePolicy;
}

export const SKIP_CODES = [
  'DO_NOT_SYNC',
  'TRIGGER_NOT_REACHED',
  'TRIGGER_NEVER',
  'ALREADY_SYNCED',
  'NOTE_TYPE_NOT_SELECTED',
  'NOTE_CHANNEL_NOT_SELECTED',
  'MANUAL_UPDATES_OFF',
  'NO_MAPPED_FIELD_CHANGED',
  'NO_PINPOINT_CANDIDATE',
] as const;
export type SkipCode = (typeof SKIP_CODES)[number];

export type NoteTarget = 'APPLICATION' | 'EXISTING_CANDIDATE';

/** Actions run in list order; every one carries a `reason` for recruiters (syncPreview, sync events). */
export type SyncAction =
  | {
      /**
       * Find the candidate (stored link, else by email), create the application on the tagged job and
       * stage with the mapped fields (or link the candidate's existing application for that job),
       * apply the tags, store the remote ids, then write the held notes oldest first. On an existing
       * candidate the mapped fields are written per their policy (ONLY_IF_BLANK: read before write).
       */
      type: 'PUSH_APPLICATION';
      /** The effective tags: `job` (always present: checked before pushing), `stage`, `tags`, `custom:<id>`. */
      fieldValues: readonly FieldValue[];
      fields: readonly FieldWrite[];
      suppressNotifications: boolean;
      reason: string;
    }
  | {
      /**
       * Write one note for the activity. APPLICATION: on the linked application, or, right after a
       * PUSH_APPLICATION in the same decision, on the one it creates (if that push does not complete,
       * keep the note as held). EXISTING_CANDIDATE: on the linked candidate, else on a pre-existing
       * Pinpoint candidate with the contact's email (none, or more than one: report it, write nothing).
       */
      type: 'WRITE_NOTE';
      activityId: string;
      target: NoteTarget;
      reason: string;
    }
  | {
      /** Keep the activity's note until the application exists; PUSH_APPLICATION writes it. */
      type: 'HOLD_NOTE';
      activityId: string;
      reason: string;
    }
  | { type: 'UPDATE_FIELDS'; fields: readonly FieldWrite[]; reason: string }
  | { type: 'BLOCK'; missingFields: readonly string[]; reason: string }
  | {
      type: 'SKIP';
      code: SkipCode;
      /** The activity a note-related skip is about; null otherwise. */
      activityId: string | null;
      reason: string;
    };

/** Every action type, in the order a decision may list them (syncPreview's `SyncAction` enum). */
export const SYNC_ACTION_TYPES = [
  'PUSH_APPLICATION',
  'WRITE_NOTE',
  'HOLD_NOTE',
  'UPDATE_FIELDS',
  'BLOCK',
  'SKIP',
] as const satisfies readonly SyncAction['type'][];
export type SyncActionType = (typeof SYNC_ACTION_TYPES)[number];
// Compile-time check that the array lists every action type (fails when SyncAction gains one).
type UnlistedActionType = Exclude<SyncAction['type'], SyncActionType>;
export const EVERY_ACTION_TYPE_LISTED: [UnlistedActionType] extends [never] ? true : never = true;

export interface SyncDecision {
  actions: SyncAction[];
}
