// Queues ATS_REFRESH outbox jobs (re-read one Pinpoint application), one per application and team,
// folding a request into a refresh that is queued and has not started: it will read the newest state.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { syncJobsTable } from '../db/schema.js';
import { enqueueSyncJobs } from './outbox.js';

export interface AtsRefreshRequest {
  readonly teamId: string;
  readonly applicationId: string;
  /** One of the campaign contacts linked to the application: the job's contact (for ordering). */
  readonly campaignContactId: string;
  readonly source: 'WEBHOOK' | 'RECONCILER';
}

/**
 * Enqueues refreshes in the caller's transaction, skipping applications that already have one
 * waiting (QUEUED, or PAUSED until the key works again). Answers how many jobs were added.
 */
export async function enqueueAtsRefresh(tx: DbOrTx, requests: readonly AtsRefreshRequest[]): Promise<number> {
  const fresh: AtsRefreshRequest[] = [];
  const byTeam = new Map<string, AtsRefreshRequest[]>();
  for (const r of requests) byTeam.set(r.teamId, [...(byTeam.get(r.teamId) ?? []), r]);
  for (const [teamId, wanted] of byTeam) {
    const ids = [...new Set(wanted.map((r) => r.applicationId))];
    const waiting = await tx
      .select({ applicationId: sql<string>`${syncJobsTable.payload}->'event'->>'applicationId'` })
      .from(syncJobsTable)
      .where(
        and(
          eq(syncJobsTable.teamId, teamId),
          inArray(syncJobsTable.status, ['QUEUED', 'PAUSED']),
          sql`${syncJobsTable.payload}->'event'->>'kind' = 'ATS_REFRESH'`,
          inArray(sql`${syncJobsTable.payload}->'event'->>'applicationId'`, ids),
        ),
      );
    const skip = new Set(waiting.map((w) => w.applicationId));
    for (const request of wanted) {
      if (skip.has(request.applicationId)) continue;
      skip.add(request.applicationId);
      fresh.push(request);
    }
  }
  await enqueueSyncJobs(
    tx,
    fresh.map((r) => ({
      teamId: r.teamId,
      campaignContactId: r.campaignContactId,
      event: { kind: 'ATS_REFRESH', applicationId: r.applicationId, source: r.source },
    })),
  );
  return fresh.length;
}
