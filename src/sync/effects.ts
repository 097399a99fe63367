// The Pinpoint side of a sync decision, made idempotent by stored remote ids and look-up before
// create: find the candidate, link or create the application, write mapped fields per their update
// policy, write notes. Each remote id is stored the moment it is learned.
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import type { SyncContext } from '../db/queries/sync-context.js';
import { activitiesTable, campaignContactsTable } from '../db/schema.js';
import { contactVariableValue, customFieldId } from '../domain/settings.js';
import type { FieldWrite } from '../domain/sync-actions.js';
import type { FieldValue } from '../domain/types.js';
import { personAttributeKey } from '../pinpoint/attributes.js';
import type { PinpointClient } from '../pinpoint/client.js';
import { isPinpointError, PinpointListTooLongError } from '../pinpoint/errors.js';
import type {
  CustomAttributeInput,
  PersonAttributesInput,
  PinpointCandidate,
  PinpointCustomField,
} from '../pinpoint/types.js';

export const UNCERTAIN_NOTE =
  'An earlier attempt to write this note lost its connection after sending, so Pinpoint may already have it; it is not sent again, to avoid a duplicate.';

/** A failure the user must fix; no retry (e.g. the email matches several Pinpoint candidates). */
export class PermanentSyncError extends Error {
  override readonly name = 'PermanentSyncError';
}

/** ISO country of an international phone number, for Pinpoint's required `phone_iso2`. */
const CALLING_CODES: [string, string][] = [
  ['+353', 'IE'],
  ['+44', 'GB'],
  ['+49', 'DE'],
  ['+33', 'FR'],
  ['+34', 'ES'],
  ['+39', 'IT'],
  ['+31', 'NL'],
  ['+46', 'SE'],
  ['+61', 'AU'],
  ['+64', 'NZ'],
  ['+91', 'IN'],
  ['+1', 'US'],
];
export function phoneIso2(phone: string): string | undefined {
  const compact = phone.replace(/[\s().-]/g, '');
  return CALLING_CODES.find(([code]) => compact.startsWith(code))?.[1];
}

export function fieldValue(values: readonly FieldValue[], field: string): FieldValue | undefined {
  return values.find((v) => v.field === field);
}

export interface Effects {
  push(
    ctx: SyncContext,
    action: {
      fieldValues: readonly FieldValue[];
      fields: readonly FieldWrite[];
      suppressNotifications: boolean;
    },
  ): Promise<{ kind: 'CREATED' | 'LINKED'; candidateId: string; applicationId: string; message: string }>;
  updateFields(ctx: SyncContext, fields: readonly FieldWrite[]): Promise<string[]>;
  /** Writes one note; answers the comment id, or null with why nothing was written. */
  writeNote(
    ctx: SyncContext,
    activityId: string,
    target: 'APPLICATION' | 'EXISTING_CANDIDATE',
  ): Promise<{ written: true; where: string } | { written: false; why: string }>;
  /**
   * Writes every held note of the contact on its application, oldest first; notes whose earlier
   * send has an unknown outcome are reported, not re-sent.
   */
  writeHeldNotes(ctx: SyncContext): Promise<{ written: number; uncertain: number }>;
  /** Whether held (or uncertain) notes wait for the application. */
  hasWaitingNotes(ctx: SyncContext): Promise<boolean>;
  /** Marks activities' notes HELD (they are then written by writeHeldNotes, in order). */
  holdNotes(ctx: SyncContext, activityIds: readonly string[]): Promise<void>;
}

export function createEffects(deps: {
  db: Db;
  client: PinpointClient;
  customFields: () => Promise<readonly PinpointCustomField[]>;
}): Effects {
  const { db, client } = deps;

  async function saveLink(
    ctx: SyncContext,
    patch: Partial<typeof campaignContactsTable.$inferInsert>,
  ): Promise<void> {
    await db
      .update(campaignContactsTable)
      .set(patch)
      .where(eq(campaignContactsTable.id, ctx.campaignContact.id));
    Object.assign(ctx.campaignContact, patch);
  }

  async function findCandidate(ctx: SyncContext): Promise<string | null> {
    if (ctx.campaignContact.pinpointCandidateId) return ctx.campaignContact.pinpointCandidateId;
    const matches = await client.findCandidatesByEmail(ctx.email);
    if (matches.length > 1) {
      throw new PermanentSyncError(
        `${matches.length} Pinpoint candidates have the email ${ctx.email}; merge them in Pinpoint, then retry.`,
      );
    }
    const id = matches[0]?.id ?? null;
    if (id) await saveLink(ctx, { pinpointCandidateId: id });
    return id;
  }

  function standardAttributes(ctx: SyncContext, fields: readonly FieldWrite[]): PersonAttributesInput {
    const attributes: Record<string, string> = {};
    for (const f of fields) {
      const key = personAttributeKey(f.pinpointField);
      const value = contactVariableValue(ctx.contactData, f.variable);
      if (key && value !== null) attributes[key] = value;
    }
    if (attributes.phone && !attributes.phoneIso2) {
      const iso = phoneIso2(attributes.phone);
      if (iso) attributes.phoneIso2 = iso;
    }
    return attributes as PersonAttributesInput;
  }

  /** Custom values to write on the candidate: mapped variables plus custom-field tags of the campaign. */
  async function customValues(
    ctx: SyncContext,
    fields: readonly FieldWrite[],
    fieldValues: readonly FieldValue[],
  ): Promise<{ field: PinpointCustomField; value: string; policy: FieldWrite['policy'] }[]> {
    const wanted: { id: string; value: string; policy: FieldWrite['policy'] }[] = [];
    for (const f of fields) {
      const id = customFieldId(f.pinpointField);
      const value = contactVariableValue(ctx.contactData, f.variable);
      if (id && value !== null) wanted.push({ id, value, policy: f.policy });
    }
    for (const v of fieldValues) {
      const id = customFieldId(v.field);
      const value = v.value ?? v.values?.join(', ') ?? null;
      if (id && value) wanted.push({ id, value, policy: ctx.effective.fieldUpdatePolicy });
    }
    if (wanted.length === 0) return [];
    const known = await deps.customFields();
    return wanted.flatMap((w) => {
      const field = known.find((k) => k.id === w.id && k.resourceType === 'candidate');
      return field ? [{ field, value: w.value, policy: w.policy }] : [];
    });
  }

  /** Writes fields on an existing candidate: ALWAYS_UPDATE overwrites, ONLY_IF_BLANK reads first. */
  async function writeCandidateFields(
    candidateId: string,
    attributes: PersonAttributesInput,
    policies: Map<string, FieldWrite['policy']>,
    custom: { field: PinpointCustomField; value: string; policy: FieldWrite['policy'] }[],
  ): Promise<string[]> {
    const needsRead = [...policies.values()].includes('ONLY_IF_BLANK') || custom.length > 0;
    const current: PinpointCandidate | null = needsRead ? await client.getCandidate(candidateId) : null;
    const attrs: Record<string, unknown> = {};
    const written: string[] = [];
    for (const [key, value] of Object.entries(attributes)) {
      if (key === 'phoneIso2') continue;
      const policy = policies.get(key) ?? 'ONLY_IF_BLANK';
      const existing = current ? (current as unknown as Record<string, unknown>)[key] : null;
      if (policy === 'ALWAYS_UPDATE' ? existing !== value : existing == null || existing === '') {
        attrs[key] = value;
        written.push(key);
        if (key === 'phone' && attributes.phoneIso2) attrs.phoneIso2 = attributes.phoneIso2;
      }
    }
    const customAttributes: CustomAttributeInput[] = [];
    for (const c of custom) {
      const existing = current?.customAttributes.find((a) => a.customFieldId === c.field.id);
      const blank = existing === undefined || existing.value === null || existing.value === '';
      if (c.policy === 'ALWAYS_UPDATE' ? existing?.value !== c.value : blank) {
        customAttributes.push({
          customFieldId: c.field.id,
          value: c.value,
          fieldType: c.field.fieldType,
          ...(existing ? { existingAttributeId: existing.id } : {}),
        });
        written.push(`custom:${c.field.id}`);
      }
    }
    if (written.length > 0) {
      await client.updateCandidate(candidateId, {
        ...(Object.keys(attrs).length > 0 ? { attributes: attrs as PersonAttributesInput } : {}),
        ...(customAttributes.length > 0 ? { customAttributes } : {}),
      });
    }
    return written;
  }

  function policiesByAttribute(fields: readonly FieldWrite[]): Map<string, FieldWrite['policy']> {
    const map = new Map<string, FieldWrite['policy']>();
    for (const f of fields) {
      const key = personAttributeKey(f.pinpointField);
      if (key) map.set(key, f.policy);
    }
    return map;
  }

  function noteBody(ctx: SyncContext, activity: typeof activitiesTable.$inferSelect): string {
    // Authors travel in the context (read with it in one statement): no lookup per note.
    const recruiter = (activity.actorUserId && ctx.actors.get(activity.actorUserId)) || ctx.owner.email;
    const what: Record<typeof activity.type, string> = {
      MESSAGE_SENT: 'Message sent',
      REPLY_RECEIVED: 'Reply received',
      MARKED_INTERESTED: 'Marked as interested',
      CALL_LOGGED: 'Call logged',
      MEETING_BOOKED: 'Meeting booked',
    };
    const channel = activity.channel ? ` via ${activity.channel.toLowerCase()}` : '';
    const lines = [
      `${what[activity.type]}${channel} — recruiter: ${recruiter} — campaign "${ctx.campaign.name}" — ${activity.occurredAt.toISOString()}`,
    ];
    if (activity.subject) lines.push(`Subject: ${activity.subject}`);
    if (activity.body) lines.push('', activity.body.slice(0, 5000));
    return lines.join('\n');
  }

  async function loadActivity(ctx: SyncContext, activityId: string) {
    const [activity] = await db
      .select()
      .from(activitiesTable)
      .where(
        and(
          eq(activitiesTable.id, activityId),
          eq(activitiesTable.campaignContactId, ctx.campaignContact.id),
        ),
      );
    return activity;
  }

  /**
   * Writes one note. PENDING marks "sent, outcome not yet known": if the connection drops after
   * sending (or the process dies mid-call) the note stays PENDING and is never sent again, because
   * Pinpoint offers no way to look a comment up and every note notifies its users. A failure that
   * surely did not apply (refused, 4xx, 5xx, rate limit) puts the note back as it was, to be retried.
   */
  async function commentOn(
    ctx: SyncContext,
    activity: typeof activitiesTable.$inferSelect,
    commentable: { type: 'applications' | 'candidates'; id: string },
  ): Promise<void> {
    const before = activity.noteStatus;
    await db
      .update(activitiesTable)
      .set({ noteStatus: 'PENDING' })
      .where(eq(activitiesTable.id, activity.id));
    let comment: { id: string };
    try {
      comment = await client.createComment({ commentable, bodyText: noteBody(ctx, activity) });
    } catch (error) {
      const uncertain = isPinpointError(error) && error.kind === 'NETWORK' && error.outcomeUnknown;
      if (!uncertain) {
        await db
          .update(activitiesTable)
          .set({ noteStatus: before })
          .where(eq(activitiesTable.id, activity.id));
      }
      throw error;
    }
    await db
      .update(activitiesTable)
      .set({ noteStatus: 'WRITTEN', pinpointCommentId: comment.id })
      .where(eq(activitiesTable.id, activity.id));
  }

  /** Notes left PENDING by an earlier attempt: report them once and never send them again. */
  async function settleUncertain(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    await db
      .update(activitiesTable)
      .set({ noteStatus: 'SKIPPED' })
      .where(inArray(activitiesTable.id, [...ids]));
    return ids.length;
  }

  const effects: Effects = {
    async push(ctx, action) {
      const jobId = fieldValue(action.fieldValues, 'job')?.value;
      if (!jobId) throw new PermanentSyncError('No Pinpoint job is tagged for this contact.');
      const stageId = fieldValue(action.fieldValues, 'stage')?.value ?? undefined;
      const tagValues = fieldValue(action.fieldValues, 'tags')?.values ?? [];
      const tags = tagValues.map((tag) => ({ tag, context: `Outreach campaign "${ctx.campaign.name}"` }));
      const attributes = standardAttributes(ctx, action.fields);
      const custom = await customValues(ctx, action.fields, action.fieldValues);

      const existingCandidateId = await findCandidate(ctx);
      if (existingCandidateId) {
        // Read whole or not at all: deciding "no application yet" from part of the list could
        // create a duplicate.
        const applications = await client
          .listApplicationsForJob(jobId, { complete: true })
          .catch((error: unknown) => {
            if (error instanceof PinpointListTooLongError) {
              throw new PermanentSyncError(
                'This Pinpoint job has too many applications to check safely for an existing one for this candidate; add the application in Pinpoint by hand.',
              );
            }
            throw error;
          });
        const existing = applications.find(
          (a) =>
            a.candidateId === existingCandidateId ||
            (a.email !== null && a.email.toLowerCase() === ctx.email.toLowerCase()),
        );
        const written = await writeCandidateFields(
          existingCandidateId,
          attributes,
          policiesByAttribute(action.fields),
          custom,
        );
        if (existing) {
          await saveLink(ctx, { pinpointApplicationId: existing.id, pinpointJobId: jobId });
          if (tags.length > 0) await client.updateApplication(existing.id, { addTags: tags });
          return {
            kind: 'LINKED',
            candidateId: existingCandidateId,
            applicationId: existing.id,
            message: `Linked the existing Pinpoint application ${existing.id}${written.length ? `; updated ${written.join(', ')}` : ''}.`,
          };
        }
      }
      const { firstName, lastName } = ctx.contactData;
      if (!firstName || !lastName)
        throw new PermanentSyncError('First and last name are required by Pinpoint.');
      const application = await client.createApplication({
        jobId,
        ...(stageId ? { stageId } : {}),
        attributes: { ...attributes, firstName, lastName, email: ctx.email },
        skipNotificationsOnCreate: action.suppressNotifications,
        ...(tags.length > 0 ? { tags } : {}),
      });
      const candidateId = application.candidateId ?? existingCandidateId;
      // The candidate link first: if writing the custom fields fails, the retry finds this
      // application by candidate and job, links it and writes the fields then.
      if (candidateId) await saveLink(ctx, { pinpointCandidateId: candidateId, pinpointJobId: jobId });
      if (candidateId && custom.length > 0 && !existingCandidateId) {
        await writeCandidateFields(candidateId, {}, new Map(), custom);
      }
      await saveLink(ctx, { pinpointApplicationId: application.id, pinpointJobId: jobId });
      return {
        kind: 'CREATED',
        candidateId: candidateId ?? '',
        applicationId: application.id,
        message: `Created the Pinpoint application ${application.id}${existingCandidateId ? ' for the existing candidate' : ''}.`,
      };
    },

    async updateFields(ctx, fields) {
      const candidateId = await findCandidate(ctx);
      if (!candidateId) return [];
      return writeCandidateFields(
        candidateId,
        standardAttributes(ctx, fields),
        policiesByAttribute(fields),
        await customValues(ctx, fields, []),
      );
    },

    async writeNote(ctx, activityId, target) {
      const activity = await loadActivity(ctx, activityId);
      if (!activity) return { written: false, why: 'The activity no longer exists.' };
      // Only a note never sent (or held) may be sent: anything else was settled before.
      if (activity.noteStatus === 'WRITTEN') return { written: false, why: 'The note was already written.' };
      if (activity.noteStatus === 'PENDING') {
        await settleUncertain([activity.id]);
        return { written: false, why: UNCERTAIN_NOTE };
      }
      if (activity.noteStatus === 'SKIPPED')
        return { written: false, why: 'This note was settled earlier; it is not sent again.' };
      if (target === 'APPLICATION') {
        const applicationId = ctx.campaignContact.pinpointApplicationId;
        if (!applicationId) return { written: false, why: 'There is no Pinpoint application yet.' };
        await commentOn(ctx, activity, { type: 'applications', id: applicationId });
        return { written: true, where: `application ${applicationId}` };
      }
      const candidateId = await findCandidate(ctx);
      if (!candidateId) {
        await db
          .update(activitiesTable)
          .set({ noteStatus: 'SKIPPED' })
          .where(eq(activitiesTable.id, activity.id));
        return { written: false, why: `No Pinpoint candidate has the email ${ctx.email}.` };
      }
      await commentOn(ctx, activity, { type: 'candidates', id: candidateId });
      return { written: true, where: `candidate ${candidateId}` };
    },

    async writeHeldNotes(ctx) {
      const applicationId = ctx.campaignContact.pinpointApplicationId;
      if (!applicationId) return { written: 0, uncertain: 0 };
      const waiting = await db
        .select()
        .from(activitiesTable)
        .where(
          and(
            eq(activitiesTable.campaignContactId, ctx.campaignContact.id),
            inArray(activitiesTable.noteStatus, ['HELD', 'PENDING']),
          ),
        )
        .orderBy(asc(activitiesTable.occurredAt), asc(activitiesTable.createdAt));
      const uncertain = await settleUncertain(
        waiting.filter((a) => a.noteStatus === 'PENDING').map((a) => a.id),
      );
      let written = 0;
      for (const activity of waiting.filter((a) => a.noteStatus === 'HELD')) {
        await commentOn(ctx, activity, { type: 'applications', id: applicationId });
        written += 1;
      }
      return { written, uncertain };
    },

    async hasWaitingNotes(ctx) {
      const rows = await db
        .select({ id: activitiesTable.id })
        .from(activitiesTable)
        .where(
          and(
            eq(activitiesTable.campaignContactId, ctx.campaignContact.id),
            inArray(activitiesTable.noteStatus, ['HELD', 'PENDING']),
          ),
        )
        .limit(1);
      return rows.length > 0;
    },

    async holdNotes(ctx, activityIds) {
      if (activityIds.length === 0) return;
      await db
        .update(activitiesTable)
        .set({ noteStatus: 'HELD' })
        .where(
          and(
            eq(activitiesTable.campaignContactId, ctx.campaignContact.id),
            inArray(activitiesTable.id, [...activityIds]),
            eq(activitiesTable.noteStatus, 'NOT_APPLICABLE'),
          ),
        );
    },
  };
  return effects;
}
