// Carries out a sync decision's actions through the effects and records each as a sync event,
// updating the job's context as it goes so later actions see the new status.
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import type { SyncContext } from '../db/queries/sync-context.js';
import { activitiesTable } from '../db/schema.js';
import type { SyncAction } from '../domain/sync-actions.js';
import { statusAfterSkip } from '../domain/sync-status.js';
import { UNCERTAIN_NOTE } from './effects/notes.js';
import type { Effects } from './effects.js';
import type { Completion } from './executor-types.js';
import { recordSync, type SyncEventInput } from './record.js';

/** A sync event of the job's campaign contact. */
export function syncEventOf(ctx: SyncContext, kind: SyncEventInput['kind'], message: string): SyncEventInput {
  return {
    teamId: ctx.campaignContact.teamId,
    campaignId: ctx.campaignContact.campaignId,
    campaignContactId: ctx.campaignContact.id,
    kind,
    message,
  };
}

/**
 * A push that linked the application but did not complete (a later step failed, or the process
 * stopped) is finished before anything else: status SYNCED and the held notes written.
 */
export async function finishLinkedPush(db: Db, ctx: SyncContext, effects: Effects): Promise<void> {
  const cc = ctx.campaignContact;
  if (!cc.pinpointApplicationId) return;
  if (cc.syncStatus !== 'SYNCED') {
    const patch = { syncStatus: 'SYNCED' as const, lastSyncError: null, blockedFields: [] };
    await recordSync(
      db,
      syncEventOf(
        ctx,
        'LINKED',
        `Finished the earlier push: the contact is linked to application ${cc.pinpointApplicationId}.`,
      ),
      patch,
    );
    Object.assign(cc, patch);
  }
  if (await effects.hasWaitingNotes(ctx)) await recordNotes(db, ctx, await effects.writeHeldNotes(ctx));
}

async function recordNotes(
  db: Db,
  ctx: SyncContext,
  notes: { written: number; uncertain: number },
): Promise<void> {
  if (notes.written > 0) {
    await recordSync(
      db,
      syncEventOf(ctx, 'NOTED', `Wrote ${notes.written} held note(s) to the application, oldest first.`),
    );
  }
  if (notes.uncertain > 0) {
    await recordSync(db, syncEventOf(ctx, 'SKIPPED', `${notes.uncertain} note(s): ${UNCERTAIN_NOTE}`));
  }
}

/**
 * Pushes, then records SYNCED with the link learned (and, with `complete`, completes the job) in
 * one statement; held notes, if any wait, are written after it.
 */
async function performPush(
  db: Db,
  ctx: SyncContext,
  action: Extract<SyncAction, { type: 'PUSH_APPLICATION' }>,
  effects: Effects,
  complete: Completion | undefined,
): Promise<boolean | undefined> {
  const pushed = await effects.push(ctx, action);
  const patch = {
    ...pushed.unsavedLink,
    syncStatus: 'SYNCED' as const,
    lastSyncError: null,
    blockedFields: [],
  };
  const recorded = await recordSync(
    db,
    syncEventOf(ctx, pushed.kind, `${action.reason} ${pushed.message}`),
    patch,
    { complete },
  );
  Object.assign(ctx.campaignContact, patch);
  if (!recorded.waitingNotes) return recorded.completed;
  await recordNotes(db, ctx, await effects.writeHeldNotes(ctx));
  return undefined;
}

/**
 * Carries out one action of the decision and records it as a sync event. With `complete` (the job's
 * last action) a push's record also completes the job when no note waits; answers whether it did
 * (undefined: the job is left for the worker to complete).
 */
export async function perform(
  db: Db,
  ctx: SyncContext,
  action: SyncAction,
  effects: Effects,
  complete?: Completion,
): Promise<boolean | undefined> {
  const status = ctx.campaignContact.syncStatus;
  switch (action.type) {
    case 'SKIP': {
      const patch = statusAfterSkip(action.code, status);
      await recordSync(db, syncEventOf(ctx, 'SKIPPED', action.reason), patch);
      Object.assign(ctx.campaignContact, patch);
      return;
    }
    case 'BLOCK': {
      const patch = {
        syncStatus: 'BLOCKED' as const,
        blockedFields: [...action.missingFields],
        lastSyncError: `Missing before pushing to Pinpoint: ${action.missingFields.join(', ')}.`,
      };
      await recordSync(db, syncEventOf(ctx, 'BLOCKED', action.reason), patch);
      Object.assign(ctx.campaignContact, patch);
      return;
    }
    case 'HOLD_NOTE': {
      await db
        .update(activitiesTable)
        .set({ noteStatus: 'HELD' })
        .where(
          and(eq(activitiesTable.id, action.activityId), eq(activitiesTable.noteStatus, 'NOT_APPLICABLE')),
        );
      await recordSync(db, syncEventOf(ctx, 'NOTE_HELD', action.reason));
      return;
    }
    case 'PUSH_APPLICATION':
      return performPush(db, ctx, action, effects, complete);
    case 'WRITE_NOTE': {
      const result = await effects.writeNote(ctx, action.activityId, action.target);
      await recordSync(
        db,
        syncEventOf(
          ctx,
          result.written ? 'NOTED' : 'SKIPPED',
          result.written ? `${action.reason} Written on ${result.where}.` : result.why,
        ),
      );
      return;
    }
    case 'UPDATE_FIELDS': {
      const written = await effects.updateFields(ctx, action.fields);
      await recordSync(
        db,
        syncEventOf(
          ctx,
          written.length > 0 ? 'UPDATED' : 'SKIPPED',
          written.length > 0
            ? `${action.reason} Updated in Pinpoint: ${written.join(', ')}.`
            : 'Nothing to update: Pinpoint already has values for those fields (only-if-blank).',
        ),
      );
      return;
    }
    default: {
      const unreachable: never = action;
      return unreachable;
    }
  }
}
