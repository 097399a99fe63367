// Operational figures of the outbox for monitoring: open jobs by state and the age of the oldest,
// read with one grouped query on the (status, run_at) index.
import { inArray, min, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { syncJobsTable } from '../db/schema.js';

/** Job states that are still open (finished jobs grow forever and are not counted). */
export const OPEN_JOB_STATES = ['QUEUED', 'RUNNING', 'PAUSED', 'DEAD'] as const;

export async function readOpenSyncJobs(
  db: DbOrTx,
): Promise<Map<string, { count: number; oldestAgeSeconds: number }>> {
  const t = syncJobsTable;
  const rows = await db
    .select({
      status: t.status,
      count: sql<number>`count(*)`.mapWith(Number),
      oldestAgeSeconds: sql<number>`extract(epoch from (now() - ${min(t.createdAt)}))`.mapWith(Number),
    })
    .from(t)
    .where(inArray(t.status, [...OPEN_JOB_STATES]))
    .groupBy(t.status);
  return new Map(rows.map((r) => [r.status, { count: r.count, oldestAgeSeconds: r.oldestAgeSeconds }]));
}
