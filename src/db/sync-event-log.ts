// The sync event log's order: every writer of a team's events takes this lock before drawing a
// position, so within a team positions follow commit order (see sync/record.ts#insertSyncEvent).
import { sql } from 'drizzle-orm';
import type { DbOrTx } from './client.js';

/** Takes the team's event-log lock until the caller's transaction ends (call inside one). */
export async function lockSyncEventLog(tx: DbOrTx, teamId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`sync_events:${teamId}`}, 0))`);
}
