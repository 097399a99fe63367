// The notes side of the effects: write an activity as a Pinpoint comment at most once, hold notes
// until the application exists, and settle notes whose earlier send has an unknown outcome.
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { SyncContext } from '../../db/queries/sync-context.js';
import { activitiesTable } from '../../db/schema.js';
import type { PinpointClient } from '../../pinpoint/client.js';
import { isPinpointError } from '../../pinpoint/errors.js';
import { findCandidate } from './candidate.js';
import type { EffectDeps } from './deps.js';

export const UNCERTAIN_NOTE =
  'An earlier attempt to write this note lost its connection after sending, so Pinpoint may already have it; it is not sent again, to avoid a duplicate.';

type ActivityRow = typeof activitiesTable.$inferSelect;

function noteBody(ctx: SyncContext, activity: ActivityRow): string {
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

async function loadActivity(db: Db, ctx: SyncContext, activityId: string) {
  const [activity] = await db
    .select()
    .from(activitiesTable)
    .where(
      and(eq(activitiesTable.id, activityId), eq(activitiesTable.campaignContactId, ctx.campaignContact.id)),
    );
  return activity;
}

async function setNoteStatus(db: Db, activityId: string, noteStatus: ActivityRow['noteStatus']) {
  await db.update(activitiesTable).set({ noteStatus }).where(eq(activitiesTable.id, activityId));
}

/**
 * Writes one note. PENDING marks "sent, outcome not yet known": if the connection drops after
 * sending (or the process dies mid-call) the note stays PENDING and is never sent again, because
 * Pinpoint offers no way to look a comment up and every note notifies its users. A failure that
 * surely did not apply (refused, 4xx, 5xx, rate limit) puts the note back as it was, to be retried.
 */
async function commentOn(
  db: Db,
  client: PinpointClient,
  ctx: SyncContext,
  activity: ActivityRow,
  commentable: { type: 'applications' | 'candidates'; id: string },
): Promise<void> {
  const before = activity.noteStatus;
  await setNoteStatus(db, activity.id, 'PENDING');
  let comment: { id: string };
  try {
    comment = await client.createComment({ commentable, bodyText: noteBody(ctx, activity) });
  } catch (error) {
    const uncertain = isPinpointError(error) && error.kind === 'NETWORK' && error.outcomeUnknown;
    if (!uncertain) await setNoteStatus(db, activity.id, before);
    throw error;
  }
  await db
    .update(activitiesTable)
    .set({ noteStatus: 'WRITTEN', pinpointCommentId: comment.id })
    .where(eq(activitiesTable.id, activity.id));
}

/** Notes left PENDING by an earlier attempt: report them once and never send them again. */
async function settleUncertain(db: Db, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  await db
    .update(activitiesTable)
    .set({ noteStatus: 'SKIPPED' })
    .where(inArray(activitiesTable.id, [...ids]));
  return ids.length;
}

/** Writes one note; answers where, or why nothing was written. */
export async function writeNote(
  deps: EffectDeps,
  ctx: SyncContext,
  activityId: string,
  target: 'APPLICATION' | 'EXISTING_CANDIDATE',
): Promise<{ written: true; where: string } | { written: false; why: string }> {
  const { db, client } = deps;
  const activity = await loadActivity(db, ctx, activityId);
  if (!activity) return { written: false, why: 'The activity no longer exists.' };
  // Only a note never sent (or held) may be sent: anything else was settled before.
  if (activity.noteStatus === 'WRITTEN') return { written: false, why: 'The note was already written.' };
  if (activity.noteStatus === 'PENDING') {
    await settleUncertain(db, [activity.id]);
    return { written: false, why: UNCERTAIN_NOTE };
  }
  if (activity.noteStatus === 'SKIPPED')
    return { written: false, why: 'This note was settled earlier; it is not sent again.' };
  if (target === 'APPLICATION') {
    const applicationId = ctx.campaignContact.pinpointApplicationId;
    if (!applicationId) return { written: false, why: 'There is no Pinpoint application yet.' };
    await commentOn(db, client, ctx, activity, { type: 'applications', id: applicationId });
    return { written: true, where: `application ${applicationId}` };
  }
  const candidateId = await findCandidate(deps, ctx);
  if (!candidateId) {
    await setNoteStatus(db, activity.id, 'SKIPPED');
    return { written: false, why: `No Pinpoint candidate has the email ${ctx.email}.` };
  }
  await commentOn(db, client, ctx, activity, { type: 'candidates', id: candidateId });
  return { written: true, where: `candidate ${candidateId}` };
}

const waitingNote = (ctx: SyncContext) =>
  and(
    eq(activitiesTable.campaignContactId, ctx.campaignContact.id),
    inArray(activitiesTable.noteStatus, ['HELD', 'PENDING']),
  );

/**
 * Writes every held note of the contact on its application, oldest first; notes whose earlier
 * send has an unknown outcome are reported, not re-sent.
 */
export async function writeHeldNotes(
  deps: EffectDeps,
  ctx: SyncContext,
): Promise<{ written: number; uncertain: number }> {
  const { db, client } = deps;
  const applicationId = ctx.campaignContact.pinpointApplicationId;
  if (!applicationId) return { written: 0, uncertain: 0 };
  const waiting = await db
    .select()
    .from(activitiesTable)
    .where(waitingNote(ctx))
    .orderBy(asc(activitiesTable.occurredAt), asc(activitiesTable.createdAt));
  const uncertain = await settleUncertain(
    db,
    waiting.filter((a) => a.noteStatus === 'PENDING').map((a) => a.id),
  );
  let written = 0;
  for (const activity of waiting.filter((a) => a.noteStatus === 'HELD')) {
    await commentOn(db, client, ctx, activity, { type: 'applications', id: applicationId });
    written += 1;
  }
  return { written, uncertain };
}

/** Whether held (or uncertain) notes wait for the application. */
export async function hasWaitingNotes(db: Db, ctx: SyncContext): Promise<boolean> {
  const rows = await db
    .select({ id: activitiesTable.id })
    .from(activitiesTable)
    .where(waitingNote(ctx))
    .limit(1);
  return rows.length > 0;
}

/** Marks activities' notes HELD (they are then written by writeHeldNotes, in order). */
export async function holdNotes(db: Db, ctx: SyncContext, activityIds: readonly string[]): Promise<void> {
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
}
