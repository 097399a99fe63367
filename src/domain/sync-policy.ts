// The sync policy (DESIGN.md "The sync policy", rules 1–6): given one event for one contact in one
// campaign, decide which Pinpoint actions to take, each with a reason a recruiter can read in a dry run.
// Pure: the executor (sync/) performs the actions and records them as sync events (rule 7).
import { missingMandatoryFields, sourceOf } from './settings.js';
import type {
  FieldWrite,
  PolicyActivity,
  SyncAction,
  SyncActionType,
  SyncDecision,
  SyncDecisionInput,
} from './sync-actions.js';
import {
  type ActivityType,
  ADD_APPLICATION_WHEN,
  type AddApplicationWhen,
  CONTACT_STAGES,
  type ContactStage,
  type ContactVariable,
  type EffectiveSync,
  type FieldMapping,
  type FieldUpdatePolicy,
  type FieldValue,
  type OutreachChannel,
  type SettingSource,
} from './types.js';

// ---------------------------------------------------------------------------------------------------
// Words for reasons

const TRIGGER_LABEL: Record<AddApplicationWhen, string> = {
  ADDED_TO_CAMPAIGN: 'Added to campaign',
  REPLIED: 'Replied',
  INTERESTED: 'Interested',
  NEVER: 'Never',
};

const TRIGGER_MOMENT: Record<Exclude<AddApplicationWhen, 'NEVER'>, string> = {
  ADDED_TO_CAMPAIGN: 'is added to the campaign',
  REPLIED: 'replies',
  INTERESTED: 'is marked interested',
};

const STAGE_LABEL: Record<ContactStage, string> = {
  ADDED: 'was added to the campaign',
  REPLIED: 'has replied',
  INTERESTED: 'is interested',
};

const ACTIVITY_LABEL: Record<ActivityType, string> = {
  MESSAGE_SENT: 'Message sent',
  REPLY_RECEIVED: 'Reply received',
  MARKED_INTERESTED: 'Marked interested',
  CALL_LOGGED: 'Call logged',
  MEETING_BOOKED: 'Meeting booked',
};

const CHANNEL_LABEL: Record<OutreachChannel, string> = {
  EMAIL: 'Email',
  LINKEDIN: 'LinkedIn',
  INMAIL: 'InMail',
  SMS: 'SMS',
  CALL: 'Call',
};

const SOURCE_LABEL: Record<SettingSource, string> = {
  TEAM: 'team default',
  USER: "campaign owner's default",
  CAMPAIGN: 'campaign setting',
  OVERRIDE: 'set for this person',
};

function from(effective: EffectiveSync, setting: string): string {
  const source = sourceOf(effective, setting);
  return source ? ` (${SOURCE_LABEL[source]})` : '';
}

/** The same as `from`, for inside parentheses: `, team default`. */
function fromInline(effective: EffectiveSync, setting: string): string {
  const source = sourceOf(effective, setting);
  return source ? `, ${SOURCE_LABEL[source]}` : '';
}

function activityLabel(activity: PolicyActivity): string {
  const what = ACTIVITY_LABEL[activity.type];
  return activity.channel ? `${what} (${CHANNEL_LABEL[activity.channel]})` : what;
}

// ---------------------------------------------------------------------------------------------------
// Rules

/** Whether a contact at `stage` has reached the "Add Application" trigger; NEVER is never reached. */
export function stageReachesTrigger(stage: ContactStage, trigger: AddApplicationWhen): boolean {
  if (trigger === 'NEVER') return false;
  // The two enums share their order: ADDED ~ ADDED_TO_CAMPAIGN < REPLIED < INTERESTED.
  return CONTACT_STAGES.indexOf(stage) >= ADD_APPLICATION_WHEN.indexOf(trigger);
}

function mappedFieldWrites(
  mappings: readonly FieldMapping[],
  effective: EffectiveSync,
  variables?: readonly ContactVariable[],
): FieldWrite[] {
  return mappings
    .filter((m) => variables === undefined || variables.includes(m.variable))
    .map((m) => ({
      pinpointField: m.pinpointField,
      variable: m.variable,
      policy: m.updatePolicy ?? effective.fieldUpdatePolicy,
    }));
}

function describeTags(fieldValues: readonly FieldValue[]): string {
  const value = (field: string) => fieldValues.find((fv) => fv.field === field);
  const job = value('job')?.value;
  const stage = value('stage')?.value;
  const tags = value('tags')?.values ?? [];
  const custom = fieldValues.filter((fv) => fv.field.startsWith('custom:')).length;
  const parts = [`on job ${job ?? '(none)'}`, stage ? `at stage ${stage}` : "at the job's first stage"];
  if (tags.length > 0) parts.push(`tagged ${tags.join(', ')}`);
  if (custom > 0) parts.push(`with ${custom} custom field value${custom === 1 ? '' : 's'}`);
  return parts.join(' ');
}

/**
 * Rules 2–4: whether this decision pushes the application (`pushing`: the action is PUSH_APPLICATION).
 * When it does not, the action says why: a BLOCK, or a SKIP with its code.
 */
function decidePush(input: SyncDecisionInput): { action: SyncAction; pushing: boolean } {
  const { effective, mappings, contact, stage, link } = input;
  const trigger = effective.addApplicationWhen;
  if (link.applicationId !== null) {
    return {
      pushing: false,
      action: {
        type: 'SKIP',
        code: 'ALREADY_SYNCED',
        activityId: null,
        reason: `Already synced: Pinpoint application ${link.applicationId} is linked, so it is not created again.`,
      },
    };
  }
  if (trigger === 'NEVER') {
    return {
      pushing: false,
      action: {
        type: 'SKIP',
        code: 'TRIGGER_NEVER',
        activityId: null,
        reason: `"Add Application to Pinpoint" is Never${from(effective, 'addApplicationWhen')}: no application is created.`,
      },
    };
  }
  if (!stageReachesTrigger(stage, trigger)) {
    return {
      pushing: false,
      action: {
        type: 'SKIP',
        code: 'TRIGGER_NOT_REACHED',
        activityId: null,
        reason: `The contact ${STAGE_LABEL[stage]}; the application is created once the contact ${TRIGGER_MOMENT[trigger]} ("Add Application to Pinpoint": ${TRIGGER_LABEL[trigger]}${fromInline(effective, 'addApplicationWhen')}).`,
      },
    };
  }
  const missing = missingMandatoryFields({
    mandatoryFields: effective.mandatoryFields,
    fieldValues: effective.fieldValues,
    contact,
    mappings,
  });
  if (missing.length > 0) {
    return {
      pushing: false,
      action: {
        type: 'BLOCK',
        missingFields: missing,
        reason: `Blocked: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} required and missing. Nothing is sent; fill ${missing.length === 1 ? 'it' : 'them'} (campaign or person tags, or the contact's details) and retry.`,
      },
    };
  }
  const fields = mappedFieldWrites(mappings, effective);
  return {
    pushing: true,
    action: {
      type: 'PUSH_APPLICATION',
      fieldValues: effective.fieldValues,
      fields,
      suppressNotifications: effective.suppressPinpointNotifications,
      reason: `The contact ${STAGE_LABEL[stage]}, which reaches "${TRIGGER_LABEL[trigger]}"${from(effective, 'addApplicationWhen')}: create or link the application ${describeTags(effective.fieldValues)}, writing ${fields.length} mapped field${fields.length === 1 ? '' : 's'}, then any held notes.`,
    },
  };
}

/**
 * Rule 5 for one activity. A null channel passes the channel filter: "create new notes from" chooses
 * among outreach channels, and an activity logged without one (a call or meeting entered by hand) is
 * governed by its type alone.
 */
function decideNote(input: SyncDecisionInput, activity: PolicyActivity, pushing: boolean): SyncAction {
  const { effective, link } = input;
  const label = activityLabel(activity);
  if (!effective.activityNoteTypes.includes(activity.type)) {
    return {
      type: 'SKIP',
      code: 'NOTE_TYPE_NOT_SELECTED',
      activityId: activity.id,
      reason: `${label}: no note, this activity type is not selected in "Activity notes"${from(effective, 'activityNoteTypes')}.`,
    };
  }
  if (activity.channel !== null && !effective.noteChannels.includes(activity.channel)) {
    return {
      type: 'SKIP',
      code: 'NOTE_CHANNEL_NOT_SELECTED',
      activityId: activity.id,
      reason: `${label}: no note, ${CHANNEL_LABEL[activity.channel]} is not selected in "Create new notes from"${from(effective, 'noteChannels')}.`,
    };
  }
  if (link.applicationId !== null || pushing) {
    return {
      type: 'WRITE_NOTE',
      activityId: activity.id,
      target: 'APPLICATION',
      reason: pushing
        ? `${label}: note on the application, written right after it is created.`
        : `${label}: note on Pinpoint application ${link.applicationId}.`,
    };
  }
  if (effective.onlyAddNotesToSyncedRecords) {
    return {
      type: 'HOLD_NOTE',
      activityId: activity.id,
      reason: `${label}: the contact has no synced record yet and "Only add notes to synced records" is on${from(effective, 'onlyAddNotesToSyncedRecords')}; the note is kept and written when the application is created.`,
    };
  }
  return {
    type: 'WRITE_NOTE',
    activityId: activity.id,
    target: 'EXISTING_CANDIDATE',
    reason:
      link.candidateId !== null
        ? `${label}: no synced application yet and "Only add notes to synced records" is off; note on Pinpoint candidate ${link.candidateId}.`
        : `${label}: no synced application yet and "Only add notes to synced records" is off; note on an existing Pinpoint candidate with this email, if there is exactly one.`,
  };
}

/** Rule 6. Not called when the same decision pushes: the push already writes every mapped field. */
function decideManualEdit(input: SyncDecisionInput, changed: readonly ContactVariable[]): SyncAction {
  const { effective, mappings, link } = input;
  if (!effective.syncManualContactUpdates) {
    return {
      type: 'SKIP',
      code: 'MANUAL_UPDATES_OFF',
      activityId: null,
      reason: `"Sync manual contact updates" is off${from(effective, 'syncManualContactUpdates')}: the edit stays here.`,
    };
  }
  const fields = mappedFieldWrites(mappings, effective, changed);
  if (fields.length === 0) {
    return {
      type: 'SKIP',
      code: 'NO_MAPPED_FIELD_CHANGED',
      activityId: null,
      reason: 'None of the edited contact fields is mapped to a Pinpoint field.',
    };
  }
  // An application implies its candidate, and PUT /applications updates the same personal attributes.
  if (link.candidateId === null && link.applicationId === null) {
    return {
      type: 'SKIP',
      code: 'NO_PINPOINT_CANDIDATE',
      activityId: null,
      reason:
        'The contact has no Pinpoint candidate yet: the edit is sent with the application when it is created.',
    };
  }
  const described = fields.map((f) => `${f.pinpointField} (${policyLabel(f.policy)})`).join(', ');
  return { type: 'UPDATE_FIELDS', fields, reason: `Manual edit: update ${described}.` };
}

function policyLabel(policy: FieldUpdatePolicy): string {
  return policy === 'ALWAYS_UPDATE' ? 'always update' : 'only if blank in Pinpoint';
}

/**
 * Decides the actions for one event. Rule 1 first (Do not sync: a single SKIP). Then the push check
 * (rule 2–4) on every event, so a contact already past the trigger is pushed on whatever comes next;
 * events that are about something else (an activity, an edit) mention the push only when it happens or
 * is blocked, while ADDED, REPLIED, RETRY and SETTINGS_CHANGED always say why nothing was pushed.
 * Then the event's own actions: notes (rule 5) after the push, or the manual edit (rule 6).
 */
export function decideSync(input: SyncDecisionInput): SyncDecision {
  const { effective, event } = input;
  if (effective.syncAs === 'DO_NOT_SYNC') {
    return {
      actions: [
        {
          type: 'SKIP',
          code: 'DO_NOT_SYNC',
          activityId: null,
          reason: `Sync as is "Do not sync"${from(effective, 'syncAs')}: nothing is sent to Pinpoint for this contact in this campaign.`,
        },
      ],
    };
  }

  const push = decidePush(input);
  const actions: SyncAction[] = [];
  const pushIsNews = push.action.type !== 'SKIP';
  switch (event.kind) {
    case 'ADDED':
    case 'RETRY':
    case 'SETTINGS_CHANGED':
      actions.push(push.action);
      break;
    case 'REPLIED':
      actions.push(push.action);
      for (const activity of event.activities) actions.push(decideNote(input, activity, push.pushing));
      break;
    case 'ACTIVITY':
      if (pushIsNews) actions.push(push.action);
      actions.push(decideNote(input, event.activity, push.pushing));
      break;
    case 'CONTACT_EDITED':
      if (pushIsNews) actions.push(push.action);
      if (!push.pushing) actions.push(decideManualEdit(input, event.changedVariables));
      break;
    default: {
      const unknown: never = event;
      throw new Error(`Unknown sync policy event: ${JSON.stringify(unknown)}`);
    }
  }
  return { actions };
}

/** The dry-run view (`SyncPlan.steps`): one `{ action, reason }` per action, in order. */
export function toPlanSteps(decision: SyncDecision): { action: SyncActionType; reason: string }[] {
  return decision.actions.map((a) => ({ action: a.type, reason: a.reason }));
}
