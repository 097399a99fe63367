// Runs one outbox job: load the contact's context, ask the pure policy what to do, carry it out
// against Pinpoint (idempotently, see effects.ts) and record every step as a sync event. Pinpoint
// failures become job outcomes: retry (429/5xx/network), pause (401/403), failed (422 and the like).
import { and, eq, inArray } from 'drizzle-orm';
import { markIntegrationAuthFailed } from '../db/integration-status.js';
import { loadSyncContexts, type SyncContext, syncInputOf } from '../db/queries/sync-context.js';
import { activitiesTable, integrationsTable } from '../db/schema.js';
import type { PolicyActivity, PolicyEvent, SyncAction } from '../domain/sync-actions.js';
import { decideSync } from '../domain/sync-policy.js';
import { failureRule, statusAfterSkip, statusWhenDead } from '../domain/sync-status.js';
import { createAnswerCache } from '../pinpoint/answer-cache.js';
import type { PinpointClient } from '../pinpoint/client.js';
import { type AnyPinpointError, isPinpointError } from '../pinpoint/errors.js';
import { openIntegrationKey } from '../secrets/integration-key.js';
import type { Services } from '../services.js';
import { PermanentSyncError } from './effects/candidate.js';
import { UNCERTAIN_NOTE } from './effects/notes.js';
import { createEffects } from './effects.js';
import type { ClaimedJob, JobExecutor, JobOutcome, RequestGate } from './executor-types.js';
import type { SyncJobEvent } from './jobs.js';
import { createRequestGate } from './rate-limit.js';
import { recordSync, type SyncEventInput } from './record.js';

type ActivityRow = typeof activitiesTable.$inferSelect;

export function toPolicyActivity(a: ActivityRow): PolicyActivity {
  return {
    id: a.id,
    type: a.type,
    channel: a.channel,
    occurredAt: a.occurredAt.toISOString(),
    subject: a.subject,
    body: a.body,
  };
}

/** Turns a stored job event into the policy's event (activities are read back by id). */
export async function policyEventFor(
  db: Services['database']['db'],
  campaignContactId: string,
  event: SyncJobEvent,
): Promise<PolicyEvent> {
  switch (event.kind) {
    case 'REPLIED':
    case 'ACTIVITY': {
      const ids = event.kind === 'REPLIED' ? event.activityIds : [event.activityId];
      const rows =
        ids.length === 0
          ? []
          : await db
              .select()
              .from(activitiesTable)
              .where(
                and(
                  eq(activitiesTable.campaignContactId, campaignContactId),
                  inArray(activitiesTable.id, ids),
                ),
              );
      const activities = ids.flatMap((id) => rows.filter((r) => r.id === id)).map(toPolicyActivity);
      if (event.kind === 'REPLIED') return { kind: 'REPLIED', interested: event.interested, activities };
      const activity = activities[0];
      return activity ? { kind: 'ACTIVITY', activity } : { kind: 'RETRY' };
    }
    default:
      return event;
  }
}

/** A client whose every call first waits for the integration's shared request slot. */
function gated(client: PinpointClient, wait: () => Promise<void>): PinpointClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await wait();
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** Words a recruiter understands, naming the field Pinpoint complained about. */
export function describePinpointError(error: AnyPinpointError): string {
  switch (error.kind) {
    case 'VALIDATION': {
      const fields = error.fields.map((f) => `${f.field}: ${f.message}`).join('; ');
      return `Pinpoint rejected the record${fields ? ` — ${fields}` : ''}. Fix it (e.g. with a per-person override or the contact's data) and retry.`;
    }
    case 'RATE_LIMITED':
      return 'Pinpoint is rate limiting requests; retrying automatically.';
    case 'SERVER':
      return `Pinpoint had a server error (${error.status}); retrying automatically.`;
    case 'NETWORK':
      return error.timedOut
        ? 'Pinpoint did not answer in time; retrying automatically.'
        : 'Could not reach Pinpoint; retrying automatically.';
    case 'RESPONSE':
      return 'Pinpoint answered with something unexpected; retrying automatically.';
    case 'NOT_FOUND':
      return 'A Pinpoint record or job this contact is tagged with no longer exists. Check the job tag and retry.';
    case 'BAD_REQUEST':
      return 'Pinpoint refused the request as malformed. Our team has been notified.';
    case 'INVALID_KEY':
      return 'Pinpoint stopped accepting the API key; syncing is paused until an admin activates Pinpoint again.';
    case 'FORBIDDEN':
      return 'Pinpoint refused the API key (missing permission); syncing is paused until an admin fixes it.';
    default: {
      const unreachable: never = error;
      return unreachable;
    }
  }
}

/** The executor every process runs: each Pinpoint request waits for the integration's shared rate slot. */
export function createGatedExecutor(services: Services): JobExecutor {
  return createExecutor(services, {
    gate: createRequestGate(services.database.db, {
      requestsPerSecond: services.config.sync.requestsPerSecond,
    }),
  });
}

export function createExecutor(services: Services, options: { gate?: RequestGate } = {}): JobExecutor {
  const db = services.database.db;
  // The account's custom fields change rarely; a job re-reads them at most once a minute per key.
  const customFieldCache = createAnswerCache({ ttlMs: 60_000, maxEntries: 1000 });
  const log = services.logger.child({ component: 'sync-executor' });

  const event = (ctx: SyncContext, kind: SyncEventInput['kind'], message: string): SyncEventInput => ({
    teamId: ctx.campaignContact.teamId,
    campaignId: ctx.campaignContact.campaignId,
    campaignContactId: ctx.campaignContact.id,
    kind,
    message,
  });

  async function run(
    job: ClaimedJob,
    ctx: SyncContext,
    integration: { id: string; keyGeneration: number },
    client: PinpointClient,
  ): Promise<void> {
    const effects = createEffects({
      db,
      client,
      // Read through the job's own client: its AbortSignal, the shared rate gate and the breaker
      // apply, and a failure is classified like any other Pinpoint error.
      customFields: () =>
        customFieldCache.get(`${integration.id}:${integration.keyGeneration}`, () =>
          client.listCustomFields(),
        ),
    });
    await finishLinkedPush(ctx, effects);
    const policyEvent = await policyEventFor(db, ctx.campaignContact.id, job.payload.event);
    const decision = decideSync(syncInputOf(ctx, policyEvent));
    let actions = decision.actions;
    if (actions.some((a) => a.type === 'PUSH_APPLICATION')) {
      // Notes planned right after the push are held first: if the push fails, is blocked later or
      // gives up, they are not lost; the push writes every held note, in order, once it succeeds.
      const afterPush = actions.flatMap((a) =>
        a.type === 'WRITE_NOTE' && a.target === 'APPLICATION' ? [a] : [],
      );
      await effects.holdNotes(
        ctx,
        afterPush.map((a) => a.activityId),
      );
      actions = actions.filter((a) => !afterPush.includes(a as (typeof afterPush)[number]));
    }
    for (const action of actions) await perform(ctx, action, effects);
  }

  /**
   * A push that linked the application but did not complete (a later step failed, or the process
   * stopped) is finished before anything else: status SYNCED and the held notes written.
   */
  async function finishLinkedPush(
    ctx: SyncContext,
    effects: ReturnType<typeof createEffects>,
  ): Promise<void> {
    const cc = ctx.campaignContact;
    if (!cc.pinpointApplicationId) return;
    if (cc.syncStatus !== 'SYNCED') {
      const patch = { syncStatus: 'SYNCED' as const, lastSyncError: null, blockedFields: [] };
      await recordSync(
        db,
        event(
          ctx,
          'LINKED',
          `Finished the earlier push: the contact is linked to application ${cc.pinpointApplicationId}.`,
        ),
        patch,
      );
      Object.assign(cc, patch);
    }
    if (await effects.hasWaitingNotes(ctx)) await recordNotes(ctx, await effects.writeHeldNotes(ctx));
  }

  async function recordNotes(ctx: SyncContext, notes: { written: number; uncertain: number }): Promise<void> {
    if (notes.written > 0) {
      await recordSync(
        db,
        event(ctx, 'NOTED', `Wrote ${notes.written} held note(s) to the application, oldest first.`),
      );
    }
    if (notes.uncertain > 0) {
      await recordSync(db, event(ctx, 'SKIPPED', `${notes.uncertain} note(s): ${UNCERTAIN_NOTE}`));
    }
  }

  async function perform(
    ctx: SyncContext,
    action: SyncAction,
    effects: ReturnType<typeof createEffects>,
  ): Promise<void> {
    const status = ctx.campaignContact.syncStatus;
    switch (action.type) {
      case 'SKIP': {
        const patch = statusAfterSkip(action.code, status);
        await recordSync(db, event(ctx, 'SKIPPED', action.reason), patch);
        Object.assign(ctx.campaignContact, patch);
        return;
      }
      case 'BLOCK': {
        const patch = {
          syncStatus: 'BLOCKED' as const,
          blockedFields: [...action.missingFields],
          lastSyncError: `Missing before pushing to Pinpoint: ${action.missingFields.join(', ')}.`,
        };
        await recordSync(db, event(ctx, 'BLOCKED', action.reason), patch);
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
        await recordSync(db, event(ctx, 'NOTE_HELD', action.reason));
        return;
      }
      case 'PUSH_APPLICATION': {
        const pushed = await effects.push(ctx, action);
        const patch = { syncStatus: 'SYNCED' as const, lastSyncError: null, blockedFields: [] };
        await recordSync(db, event(ctx, pushed.kind, `${action.reason} ${pushed.message}`), patch);
        Object.assign(ctx.campaignContact, patch);
        await recordNotes(ctx, await effects.writeHeldNotes(ctx));
        return;
      }
      case 'WRITE_NOTE': {
        const result = await effects.writeNote(ctx, action.activityId, action.target);
        await recordSync(
          db,
          event(
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
          event(
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

  return {
    async execute(job, signal) {
      const [integration] = await db
        .select()
        .from(integrationsTable)
        .where(eq(integrationsTable.id, job.integration.id));
      const connection =
        integration?.status === 'CONNECTED' ? openIntegrationKey(services.secretBox, integration) : null;
      if (!integration || !connection) return { kind: 'pause', error: 'Pinpoint is not connected.' };
      const contexts = await loadSyncContexts(db, job.teamId, [job.campaignContactId]);
      const ctx = contexts.get(job.campaignContactId);
      if (!ctx) return { kind: 'done' }; // the campaign contact was deleted
      const raw = services.pinpointClient({ ...connection, ...(signal ? { signal } : {}) });
      const gate = options.gate;
      // Once the worker aborts (shutdown, lease lost) no further Pinpoint call starts.
      const client = gated(raw, async () => {
        signal?.throwIfAborted();
        if (gate) await gate(integration.id, signal);
      });
      try {
        await run(job, ctx, integration, client);
        return { kind: 'done' };
      } catch (error) {
        if (signal?.aborted)
          return { kind: 'retry', error: 'The sync was interrupted; it resumes shortly.', breaker: false };
        return handleFailure(job, ctx, integration, error);
      }
    },

    async onRetry(job, error, nextRunAt) {
      const ctx = (await loadSyncContexts(db, job.teamId, [job.campaignContactId])).get(
        job.campaignContactId,
      );
      if (!ctx) return;
      await recordSync(db, event(ctx, 'RETRYING', `${error} Next attempt at ${nextRunAt.toISOString()}.`), {
        lastSyncError: error,
      });
    },

    async onDead(job, lastError) {
      const ctx = (await loadSyncContexts(db, job.teamId, [job.campaignContactId])).get(
        job.campaignContactId,
      );
      if (!ctx) return;
      await recordSync(
        db,
        event(
          ctx,
          'DEAD',
          `Gave up after ${job.attempts + 1} attempts: ${lastError} Use retrySync to try again.`,
        ),
        {
          syncStatus: statusWhenDead(ctx.campaignContact.syncStatus),
          lastSyncError: lastError,
        },
      );
    },
  };

  async function handleFailure(
    job: ClaimedJob,
    ctx: SyncContext,
    integration: typeof integrationsTable.$inferSelect,
    error: unknown,
  ): Promise<JobOutcome> {
    if (error instanceof PermanentSyncError) {
      await recordSync(db, event(ctx, 'FAILED', error.message), {
        syncStatus: 'FAILED',
        lastSyncError: error.message,
      });
      return { kind: 'failed', error: error.message };
    }
    if (!isPinpointError(error)) {
      log.error({ err: error, jobId: job.id }, 'sync job failed unexpectedly');
      return {
        kind: 'retry',
        error: 'An internal error interrupted the sync; retrying automatically.',
        breaker: false,
      };
    }
    const message = describePinpointError(error);
    log.info(
      { jobId: job.id, kind: error.kind, status: error.status, path: error.path },
      'Pinpoint call failed',
    );
    const onLinkedCandidate =
      error.kind === 'NOT_FOUND' &&
      ctx.campaignContact.pinpointCandidateId !== null &&
      /\/candidates\/[^/]+$/.test(error.path);
    const rule = failureRule(error.kind, onLinkedCandidate);
    switch (rule.outcome) {
      case 'pause':
        await markIntegrationAuthFailed(db, integration, rule.authReason);
        await recordSync(db, event(ctx, 'PAUSED', message), { lastSyncError: message });
        return { kind: 'pause', error: message };
      case 'retry':
        if (rule.forgetCandidate) {
          // A stale candidate link (merged or deleted in Pinpoint): forget it and look up again.
          await recordSync(
            db,
            event(ctx, 'RETRYING', 'The linked Pinpoint candidate no longer exists; looking it up again.'),
            { pinpointCandidateId: null },
          );
        }
        return {
          kind: 'retry',
          error: message,
          breaker: rule.breaker,
          ...(error.kind === 'RATE_LIMITED' ? { retryAfterMs: error.retryAfterMs } : {}),
        };
      case 'failed':
        await recordSync(db, event(ctx, 'FAILED', message), { syncStatus: 'FAILED', lastSyncError: message });
        return { kind: 'failed', error: message };
      default: {
        const unreachable: never = rule;
        return unreachable;
      }
    }
  }
}
