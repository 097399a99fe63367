// What a failed job becomes: a permanent failure, an unexpected error (retried, not counted by the
// breaker), or a Pinpoint error turned into pause / retry / failed by the pure status rules.
import type { Db } from '../db/client.js';
import { markIntegrationAuthFailed } from '../db/integration-status.js';
import type { SyncContext } from '../db/queries/sync-context.js';
import type { integrationsTable } from '../db/schema.js';
import { failureRule } from '../domain/sync-status.js';
import type { Logger } from '../logger.js';
import { type AnyPinpointError, isPinpointError } from '../pinpoint/errors.js';
import { PermanentSyncError } from './effects/candidate.js';
import type { ClaimedJob, JobOutcome } from './executor-types.js';
import { syncEventOf } from './perform.js';
import { recordSync } from './record.js';

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

/** The outcome of a failed job, with the sync event that tells the recruiter why. */
export async function handleFailure(
  deps: { db: Db; log: Logger },
  job: ClaimedJob,
  ctx: SyncContext,
  integration: typeof integrationsTable.$inferSelect,
  error: unknown,
): Promise<JobOutcome> {
  const { db, log } = deps;
  if (error instanceof PermanentSyncError) {
    await recordSync(db, syncEventOf(ctx, 'FAILED', error.message), {
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
      await recordSync(db, syncEventOf(ctx, 'PAUSED', message), { lastSyncError: message });
      return { kind: 'pause', error: message };
    case 'retry':
      if (rule.forgetCandidate) {
        // A stale candidate link (merged or deleted in Pinpoint): forget it and look up again.
        await recordSync(
          db,
          syncEventOf(
            ctx,
            'RETRYING',
            'The linked Pinpoint candidate no longer exists; looking it up again.',
          ),
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
      await recordSync(db, syncEventOf(ctx, 'FAILED', message), {
        syncStatus: 'FAILED',
        lastSyncError: message,
      });
      return { kind: 'failed', error: message };
    default: {
      const unreachable: never = rule;
      return unreachable;
    }
  }
}
