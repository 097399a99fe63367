// The transactional outbox: use cases enqueue jobs in the same transaction as their state change.
import type { DbOrTx } from '../db/client.js';
import { syncJobsTable } from '../db/schema.js';
import type { SyncJobEvent, SyncJobPayload } from './jobs.js';
import { CHANNELS, notify } from './notify.js';

export interface NewSyncJob {
  readonly teamId: string;
  readonly campaignContactId: string;
  readonly event: SyncJobEvent;
}

/** Writes jobs (call inside the use case's transaction) and wakes workers on commit. */
export async function enqueueSyncJobs(tx: DbOrTx, jobs: readonly NewSyncJob[]): Promise<void> {
  if (jobs.length === 0) return;
  await tx.insert(syncJobsTable).values(
    jobs.map((job) => ({
      teamId: job.teamId,
      campaignContactId: job.campaignContactId,
      payload: { v: 1, event: job.event } satisfies SyncJobPayload,
    })),
  );
  const teams = new Set(jobs.map((j) => j.teamId));
  for (const teamId of teams) await notify(tx, CHANNELS.syncJobs, { teamId });
}
