// Sync use cases: outreach events (reply, activity) and retries write their state change and their
// outbox job in one transaction; previews run the policy without sending anything; the event log.
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { inUuidList } from '../db/bulk.js';
import type { DbOrTx } from '../db/client.js';
import { loadSyncContexts, syncInputOf } from '../db/queries/sync-context.js';
import {
  activitiesTable,
  campaignContactsTable,
  campaignsTable,
  processedEventsTable,
} from '../db/schema.js';
import type { SyncActionType } from '../domain/sync-actions.js';
import { decideSync, toPlanSteps } from '../domain/sync-policy.js';
import { ACTIVITY_TYPES, type ContactStage, OUTREACH_CHANNELS } from '../domain/types.js';
import { issuesToFieldErrors, NotFoundError, ValidationError } from '../errors.js';
import type { SyncJobEvent } from '../sync/jobs.js';
import { enqueueSyncJobs } from '../sync/outbox.js';
import { type AppContext, viewerOf } from './context.js';
import { uuidsOnly } from './identity.js';

const STAGE_ORDER: Record<ContactStage, number> = { ADDED: 0, REPLIED: 1, INTERESTED: 2 };

async function lockCampaignContact(tx: DbOrTx, teamId: string, id: string) {
  if (uuidsOnly([id]).length === 0) throw new NotFoundError('No such contact in this campaign.');
  const [row] = await tx
    .select()
    .from(campaignContactsTable)
    .where(and(eq(campaignContactsTable.id, id), eq(campaignContactsTable.teamId, teamId)))
    .for('update');
  if (!row) throw new NotFoundError('No such contact in this campaign.');
  return row;
}

/** Records an event id once per team; false when it was seen before (the event is acknowledged only). */
async function firstSighting(
  tx: DbOrTx,
  teamId: string,
  eventId: string | null | undefined,
): Promise<boolean> {
  if (!eventId) return true;
  const inserted = await tx
    .insert(processedEventsTable)
    .values({ teamId, eventId })
    .onConflictDoNothing()
    .returning({ eventId: processedEventsTable.eventId });
  return inserted.length > 0;
}

/**
 * The one way use cases enqueue sync jobs: writes the jobs and, where the policy would push now,
 * shows PENDING at once (the worker settles the final status). Runs inside the caller's transaction;
 * answers the ids it marked PENDING.
 */
export async function enqueueAndMarkPending(
  tx: DbOrTx,
  teamId: string,
  jobs: readonly { campaignContactId: string; event: SyncJobEvent }[],
): Promise<Set<string>> {
  if (jobs.length === 0) return new Set();
  await enqueueSyncJobs(
    tx,
    jobs.map((j) => ({ teamId, ...j })),
  );
  const pending: string[] = [];
  const ids = [...new Set(jobs.map((j) => j.campaignContactId))];
  for (let start = 0; start < ids.length; start += PENDING_CHUNK) {
    await markPendingChunk(tx, teamId, ids.slice(start, start + PENDING_CHUNK), pending);
  }
  for (let start = 0; start < pending.length; start += PENDING_CHUNK) {
    await tx
      .update(campaignContactsTable)
      .set({ syncStatus: 'PENDING', lastSyncError: null })
      .where(inUuidList(campaignContactsTable.id, pending.slice(start, start + PENDING_CHUNK)));
  }
  return new Set(pending);
}

const PENDING_CHUNK = 500;

/** Adds to `pending` the campaign contacts among `ids` that the policy would push now. */
async function markPendingChunk(tx: DbOrTx, teamId: string, ids: readonly string[], pending: string[]) {
  const contexts = await loadSyncContexts(tx, teamId, ids);
  for (const ctx of contexts.values()) {
    const { campaignContact: cc } = ctx;
    if (cc.syncStatus === 'SYNCED' || cc.syncStatus === 'PENDING') continue;
    const decision = decideSync(syncInputOf(ctx, { kind: 'RETRY' }));
    if (decision.actions.some((a) => a.type === 'PUSH_APPLICATION')) pending.push(cc.id);
  }
}

const replyInput = z.object({
  campaignContactId: z.string(),
  interested: z.boolean().nullish(),
  eventId: z.string().trim().min(1).max(200).nullish(),
});

/** The contact replied (and maybe is interested): stage advances (never back), notes and push follow. */
export async function recordReply(
  ctx: AppContext,
  input: { campaignContactId: string; interested?: boolean | null; eventId?: string | null },
): Promise<string> {
  const viewer = viewerOf(ctx);
  const parsed = replyInput.safeParse(input);
  if (!parsed.success) throw new ValidationError('Check the reply', issuesToFieldErrors(parsed.error.issues));
  const { campaignContactId, interested, eventId } = parsed.data;
  return ctx.db.transaction(async (tx) => {
    const cc = await lockCampaignContact(tx, viewer.teamId, campaignContactId);
    if (!(await firstSighting(tx, viewer.teamId, eventId))) return cc.id;
    const target: ContactStage = interested ? 'INTERESTED' : 'REPLIED';
    const stage = STAGE_ORDER[target] > STAGE_ORDER[cc.stage] ? target : cc.stage;
    if (stage !== cc.stage) {
      await tx.update(campaignContactsTable).set({ stage }).where(eq(campaignContactsTable.id, cc.id));
    }
    const [campaign] = await tx
      .select({ channel: campaignsTable.channel })
      .from(campaignsTable)
      .where(eq(campaignsTable.id, cc.campaignId));
    const now = new Date();
    const activities = await tx
      .insert(activitiesTable)
      .values([
        {
          teamId: viewer.teamId,
          campaignContactId: cc.id,
          type: 'REPLY_RECEIVED' as const,
          channel: campaign?.channel ?? null,
          occurredAt: now,
          actorUserId: viewer.userId,
        },
        ...(interested
          ? [
              {
                teamId: viewer.teamId,
                campaignContactId: cc.id,
                type: 'MARKED_INTERESTED' as const,
                channel: campaign?.channel ?? null,
                occurredAt: new Date(now.getTime() + 1),
                actorUserId: viewer.userId,
              },
            ]
          : []),
      ])
      .returning({ id: activitiesTable.id });
    await enqueueAndMarkPending(tx, viewer.teamId, [
      {
        campaignContactId: cc.id,
        event: { kind: 'REPLIED', interested: Boolean(interested), activityIds: activities.map((a) => a.id) },
      },
    ]);
    return cc.id;
  });
}

const activityInput = z.object({
  type: z.enum(ACTIVITY_TYPES),
  channel: z.enum(OUTREACH_CHANNELS).nullish(),
  occurredAt: z
    .date()
    .refine(
      (d) => d.getTime() <= Date.now() + 24 * 3600_000,
      'occurredAt cannot be more than a day in the future',
    ),
  subject: z.string().trim().max(500, 'At most 500 characters').nullish(),
  body: z.string().max(20_000, 'At most 20,000 characters').nullish(),
  eventId: z.string().trim().min(1, 'eventId cannot be empty').max(200, 'At most 200 characters').nullish(),
});

/** An outreach activity (message sent, call logged…): recorded once per eventId, may become a note. */
export async function recordActivity(
  ctx: AppContext,
  campaignContactId: string,
  input: {
    type: string;
    channel?: string | null;
    occurredAt: Date;
    subject?: string | null;
    body?: string | null;
    eventId?: string | null;
  },
): Promise<string> {
  const viewer = viewerOf(ctx);
  const parsed = activityInput.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError('Check the activity', issuesToFieldErrors(parsed.error.issues, ['input']));
  }
  const a = parsed.data;
  return ctx.db.transaction(async (tx) => {
    const cc = await lockCampaignContact(tx, viewer.teamId, campaignContactId);
    if (!(await firstSighting(tx, viewer.teamId, a.eventId))) return cc.id;
    const [activity] = await tx
      .insert(activitiesTable)
      .values({
        teamId: viewer.teamId,
        campaignContactId: cc.id,
        type: a.type,
        channel: a.channel ?? null,
        occurredAt: a.occurredAt,
        subject: a.subject || null,
        body: a.body || null,
        actorUserId: viewer.userId,
      })
      .returning({ id: activitiesTable.id });
    await enqueueAndMarkPending(tx, viewer.teamId, [
      { campaignContactId: cc.id, event: { kind: 'ACTIVITY', activityId: activity!.id } },
    ]);
    return cc.id;
  });
}

/** Evaluates the contact again now (after fixing a blocked or failed push, or a dead job). */
export async function retrySync(ctx: AppContext, campaignContactId: string): Promise<string> {
  const viewer = viewerOf(ctx);
  return ctx.db.transaction(async (tx) => {
    const cc = await lockCampaignContact(tx, viewer.teamId, campaignContactId);
    if (cc.syncStatus === 'FAILED' || cc.syncStatus === 'BLOCKED') {
      await tx
        .update(campaignContactsTable)
        .set({ syncStatus: 'NOT_SYNCED' })
        .where(eq(campaignContactsTable.id, cc.id));
    }
    await enqueueAndMarkPending(tx, viewer.teamId, [{ campaignContactId: cc.id, event: { kind: 'RETRY' } }]);
    return cc.id;
  });
}

/** A dry run: what the policy would do for this contact now, and why. Sends nothing. */
export async function syncPreview(
  ctx: AppContext,
  campaignContactId: string,
): Promise<{ action: SyncActionType; reason: string }[] | null> {
  const viewer = viewerOf(ctx);
  const contexts = await loadSyncContexts(ctx.db, viewer.teamId, uuidsOnly([campaignContactId]));
  const sc = contexts.get(campaignContactId);
  if (!sc) return null;
  return toPlanSteps(decideSync(syncInputOf(sc, { kind: 'RETRY' })));
}
