// The Pinpoint side of a sync decision, made idempotent by stored remote ids and look-up before
// create. The work lives in plain functions under effects/; this binds them to one job's deps.
import type { SyncContext } from '../db/queries/sync-context.js';
import type { FieldWrite } from '../domain/sync-actions.js';
import type { EffectDeps } from './effects/deps.js';
import { hasWaitingNotes, holdNotes, writeHeldNotes, writeNote } from './effects/notes.js';
import { type PushAction, type PushResult, push, updateFields } from './effects/push.js';

export interface Effects {
  push(ctx: SyncContext, action: PushAction): Promise<PushResult>;
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

export function createEffects(deps: EffectDeps): Effects {
  return {
    push: (ctx, action) => push(deps, ctx, action),
    updateFields: (ctx, fields) => updateFields(deps, ctx, fields),
    writeNote: (ctx, activityId, target) => writeNote(deps, ctx, activityId, target),
    writeHeldNotes: (ctx) => writeHeldNotes(deps, ctx),
    hasWaitingNotes: (ctx) => hasWaitingNotes(deps.db, ctx),
    holdNotes: (ctx, activityIds) => holdNotes(deps.db, ctx, activityIds),
  };
}
