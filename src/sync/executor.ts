// Runs one outbox job: load the contact's context, ask the pure policy what to do, carry it out
// against Pinpoint (idempotently, see effects.ts) and record every step as a sync event. Pinpoint
// failures become job outcomes: retry (429/5xx/network), pause (401/403), failed (422 and the like).
import type { Db } from '../db/client.js';
import { loadSyncContexts, type SyncContext, syncInputOf } from '../db/queries/sync-context.js';
import { decideSync } from '../domain/sync-policy.js';
import { statusWhenDead } from '../domain/sync-status.js';
import { createAnswerCache } from '../pinpoint/answer-cache.js';
import type { Services } from '../services.js';
import { createAtsRefreshExecutor, routeAtsRefresh } from './ats-refresh.js';
import { createEffects, type Effects } from './effects.js';
import type { ClaimedJob, JobExecutor, RequestGate } from './executor-types.js';
import { handleFailure } from './failure.js';
import { type JobClient, openJobClient } from './job-client.js';
import { finishLinkedPush, perform, syncEventOf } from './perform.js';
import { policyEventFor } from './policy-event.js';
import { createRequestGate } from './rate-limit.js';
import { recordSync } from './record.js';

/**
 * Finishes an earlier push, asks the policy what the job's event calls for and carries it out.
 * Answers whether the last action's record also completed the job (undefined: it did not try).
 */
async function run(
  db: Db,
  job: ClaimedJob,
  ctx: SyncContext,
  effects: Effects,
): Promise<boolean | undefined> {
  await finishLinkedPush(db, ctx, effects);
  const jobEvent = job.payload.event;
  // ATS_REFRESH jobs never get here: createGatedExecutor routes them to ats-refresh.ts.
  if (jobEvent.kind === 'ATS_REFRESH') throw new Error('ATS_REFRESH job reached the push executor');
  const policyEvent = await policyEventFor(db, ctx.campaignContact.id, jobEvent);
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
  let completed: boolean | undefined;
  for (const [i, action] of actions.entries()) {
    const last = i === actions.length - 1;
    completed = await perform(db, ctx, action, effects, last ? job.complete : undefined);
  }
  return completed;
}

/** The executor every process runs: each Pinpoint request waits for the integration's shared rate slot. */
export function createGatedExecutor(services: Services): JobExecutor {
  const gate = createRequestGate(services.database.db, {
    requestsPerSecond: services.config.sync.requestsPerSecond,
  });
  return routeAtsRefresh(createExecutor(services, { gate }), createAtsRefreshExecutor(services, { gate }));
}

export function createExecutor(services: Services, options: { gate?: RequestGate } = {}): JobExecutor {
  const db = services.database.db;
  // The account's custom fields change rarely; a job re-reads them at most once a minute per key.
  const customFieldCache = createAnswerCache({ ttlMs: 60_000, maxEntries: 1000 });
  const log = services.logger.child({ component: 'sync-executor' });
  const effectsFor = ({ integration, client, expectRequests }: JobClient) =>
    createEffects({
      db,
      client,
      expectRequests,
      // Read through the job's own client: its AbortSignal, the shared rate gate and the breaker
      // apply, and a failure is classified like any other Pinpoint error.
      customFields: () =>
        customFieldCache.get(`${integration.id}:${integration.keyGeneration}`, () =>
          client.listCustomFields(),
        ),
    });
  return {
    async execute(job, signal) {
      const opened = await openJobClient(services, job, signal, options.gate);
      if (!opened) return { kind: 'pause', error: 'Pinpoint is not connected.' };
      // A handed-off job's context came with its lease; any other job reads it now.
      const ctx =
        job.context !== undefined
          ? job.context
          : (await loadSyncContexts(db, job.teamId, [job.campaignContactId])).get(job.campaignContactId);
      if (!ctx) return { kind: 'done' }; // the campaign contact was deleted
      try {
        const completed = await run(db, job, ctx, effectsFor(opened));
        return completed === undefined ? { kind: 'done' } : { kind: 'done', completed };
      } catch (error) {
        if (signal.aborted)
          return { kind: 'retry', error: 'The sync was interrupted; it resumes shortly.', breaker: false };
        return handleFailure({ db, log }, job, ctx, opened.integration, error);
      }
    },

    async onRetry(job, error, nextRunAt) {
      const ctx = (await loadSyncContexts(db, job.teamId, [job.campaignContactId])).get(
        job.campaignContactId,
      );
      if (!ctx) return;
      await recordSync(
        db,
        syncEventOf(ctx, 'RETRYING', `${error} Next attempt at ${nextRunAt.toISOString()}.`),
        {
          lastSyncError: error,
        },
      );
    },

    async onDead(job, lastError) {
      const ctx = (await loadSyncContexts(db, job.teamId, [job.campaignContactId])).get(
        job.campaignContactId,
      );
      if (!ctx) return;
      await recordSync(
        db,
        syncEventOf(
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
}
