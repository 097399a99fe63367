// Runs ATS_REFRESH jobs: re-read one application from Pinpoint through the job's gated client and
// apply what Pinpoint says now to every campaign contact of the team linked to it (domain/ats.ts).
// Webhooks and the reconciler only queue these jobs, so both converge on the same state and events.
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { markIntegrationAuthFailed } from '../db/integration-status.js';
import { campaignContactsTable, type integrationsTable, teamSettingsTable } from '../db/schema.js';
import { type AtsReading, decideAtsUpdate } from '../domain/ats.js';
import { TEAM_SETTINGS_DEFAULTS } from '../domain/settings.js';
import { failureRule } from '../domain/sync-status.js';
import { ATS_OUTCOMES, type AtsOutcome } from '../domain/types.js';
import { isPinpointError } from '../pinpoint/errors.js';
import type { PinpointApplication } from '../pinpoint/types.js';
import type { Services } from '../services.js';
import type { ClaimedJob, JobExecutor, JobOutcome, RequestGate } from './executor-types.js';
import { describePinpointError } from './failure.js';
import { openJobClient } from './job-client.js';
import { insertSyncEvent } from './record.js';

type AtsJobEvent = { kind: 'ATS_REFRESH'; applicationId: string; source: 'WEBHOOK' | 'RECONCILER' };

function atsEventOf(job: ClaimedJob): AtsJobEvent | null {
  const event = job.payload.event;
  return event.kind === 'ATS_REFRESH' ? event : null;
}

/** Pinpoint's application as the ATS rule reads it; an unknown outcome reads as null (kept). */
export function atsReadingOf(application: PinpointApplication): AtsReading {
  const outcome = application.outcome?.toUpperCase() ?? null;
  const changedAt = application.updatedAt ? new Date(application.updatedAt) : null;
  return {
    stageId: application.stage?.id ?? application.stageId,
    stageName: application.stage?.name ?? null,
    outcome: (ATS_OUTCOMES as readonly string[]).includes(outcome ?? '') ? (outcome as AtsOutcome) : null,
    // An unreadable time is no time: the change is then dated when we saw it.
    changedAt: changedAt && !Number.isNaN(changedAt.getTime()) ? changedAt : null,
  };
}

/** The team's `stopOutreachOnAtsOutcome`, read straight from its stored settings (absent: the default). */
async function stopOutreachSetting(db: Db, teamId: string): Promise<boolean> {
  const [row] = await db
    .select({ settings: teamSettingsTable.settings })
    .from(teamSettingsTable)
    .where(eq(teamSettingsTable.teamId, teamId));
  const value = row?.settings.stopOutreachOnAtsOutcome;
  return typeof value === 'boolean' ? value : TEAM_SETTINGS_DEFAULTS.stopOutreachOnAtsOutcome;
}

/**
 * Applies a reading to the team's campaign contacts linked to the application, in one transaction
 * with the rows locked: concurrent refreshes of one application apply one after the other, and the
 * rule refuses an answer older than the stored one. Answers the number of events recorded.
 */
export async function applyAtsReading(
  db: Db,
  teamId: string,
  applicationId: string,
  reading: AtsReading,
): Promise<number> {
  const stopOutreach = await stopOutreachSetting(db, teamId);
  return db.transaction(async (tx) => {
    const linked = await tx
      .select()
      .from(campaignContactsTable)
      .where(
        and(
          eq(campaignContactsTable.teamId, teamId),
          eq(campaignContactsTable.pinpointApplicationId, applicationId),
        ),
      )
      .for('update');
    const now = new Date();
    let events = 0;
    for (const cc of linked) {
      const decision = decideAtsUpdate({
        current: {
          stageId: cc.atsStageId,
          stageName: cc.atsStageName,
          outcome: cc.atsOutcome,
          updatedAt: cc.atsUpdatedAt,
          outreachStopped: cc.outreachStopped,
          outreachStoppedReason: cc.outreachStoppedReason,
        },
        reading,
        now,
        stopOutreach,
      });
      const next = decision.next;
      await tx
        .update(campaignContactsTable)
        .set({
          atsCheckedAt: now,
          ...(next
            ? {
                atsStageId: next.stageId,
                atsStageName: next.stageName,
                atsOutcome: next.outcome,
                atsUpdatedAt: next.updatedAt,
                outreachStopped: next.outreachStopped,
                outreachStoppedReason: next.outreachStoppedReason,
              }
            : {}),
        })
        .where(eq(campaignContactsTable.id, cc.id));
      for (const change of decision.changes) {
        await insertSyncEvent(tx, {
          teamId,
          campaignId: cc.campaignId,
          campaignContactId: cc.id,
          kind: change.kind,
          message: change.message,
          status: cc.syncStatus,
        });
        events += 1;
      }
    }
    return events;
  });
}

/**
 * The executor for ATS_REFRESH jobs. Failures are classified like a push's (401/403 pause the team,
 * 429/5xx/network retry and count towards the breaker), but they record no sync event and leave the
 * contact's push status alone: a failed read says nothing about the push.
 */
export function createAtsRefreshExecutor(
  services: Services,
  options: { gate?: RequestGate } = {},
): JobExecutor {
  const db = services.database.db;
  const log = services.logger.child({ component: 'ats-refresh' });

  async function classify(
    job: ClaimedJob,
    integration: typeof integrationsTable.$inferSelect,
    error: unknown,
  ): Promise<JobOutcome> {
    if (!isPinpointError(error)) {
      log.error({ err: error, jobId: job.id }, 'ATS refresh failed unexpectedly');
      return { kind: 'retry', error: 'An internal error interrupted the ATS refresh.', breaker: false };
    }
    const message = describePinpointError(error);
    log.info({ jobId: job.id, kind: error.kind, status: error.status }, 'Pinpoint application read failed');
    // Deleted in Pinpoint: nothing left to follow; the stored status stays as last seen.
    if (error.kind === 'NOT_FOUND') return { kind: 'done' };
    const rule = failureRule(error.kind, false);
    switch (rule.outcome) {
      case 'pause':
        await markIntegrationAuthFailed(db, integration, rule.authReason);
        return { kind: 'pause', error: message };
      case 'retry':
        return {
          kind: 'retry',
          error: message,
          breaker: rule.breaker,
          ...(error.kind === 'RATE_LIMITED' ? { retryAfterMs: error.retryAfterMs } : {}),
        };
      case 'failed':
        return { kind: 'failed', error: message };
      default: {
        const unreachable: never = rule;
        return unreachable;
      }
    }
  }

  return {
    async execute(job, signal) {
      const event = atsEventOf(job);
      if (!event) return { kind: 'failed', error: 'Not an ATS refresh job.' };
      const opened = await openJobClient(services, job, signal, options.gate);
      if (!opened) return { kind: 'pause', error: 'Pinpoint is not connected.' };
      const { integration, client } = opened;
      try {
        const application = await client.getApplication(event.applicationId);
        const events = await applyAtsReading(db, job.teamId, event.applicationId, atsReadingOf(application));
        log.debug({ jobId: job.id, source: event.source, events }, 'ATS refresh applied');
        return { kind: 'done' };
      } catch (error) {
        if (signal.aborted)
          return { kind: 'retry', error: 'The ATS refresh was interrupted.', breaker: false };
        return classify(job, integration, error);
      }
    },
    async onDead(job, lastError) {
      log.warn(
        { jobId: job.id, error: lastError },
        'ATS refresh gave up; the reconciler will try again later',
      );
    },
  };
}

/** One executor for every job: ATS_REFRESH jobs go to `ats`, all others to `push`. */
export function routeAtsRefresh(push: JobExecutor, ats: JobExecutor): JobExecutor {
  const pick = (job: ClaimedJob) => (atsEventOf(job) ? ats : push);
  return {
    execute: (job, signal) => pick(job).execute(job, signal),
    onDead: (job, lastError) => pick(job).onDead(job, lastError),
    onRetry: async (job, error, nextRunAt) => pick(job).onRetry?.(job, error, nextRunAt),
  };
}
