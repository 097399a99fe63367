// The sync event log's order: every writer of a team's events takes this lock before drawing a
// position, so within a team positions follow commit order (see sync/record.ts#insertSyncEvent).
import { type SQL, sql } from 'drizzle-orm';
import type { DbOrTx } from './client.js';

/** The SQL expression taking the team's event-log lock until the transaction ends (for one-statement writers). */
export function syncEventLogLockSql(teamId: string): SQL {
  return sql`pg_advisory_xact_lock(hashtextextended(${`sync_events:${teamId}`}, 0))`;
}

/** Takes the team's event-log lock until the caller's transaction ends (call inside one). */
export async function lockSyncEventLog(tx: DbOrTx, teamId: string): Promise<void> {
  await tx.execute(sql`select ${syncEventLogLockSql(teamId)}`);
}
