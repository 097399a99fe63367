// Writes what the sync engine did: campaign-contact state and a sync event, in one statement,
// announced over LISTEN/NOTIFY (ids and position) on commit.
import { randomUUID } from 'node:crypto';
import { eq, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { executeNamed } from '../db/named.js';
import { CHANNELS } from '../db/notify.js';
import { campaignContactsTable } from '../db/schema.js';
import { syncEventLogLockSql } from '../db/sync-event-log.js';
import type { SyncEventKind } from '../domain/types.js';
import type { Completion } from './executor-types.js';
import { rowsOf } from './rate-limit.js';

export type { SyncEventKind };

export type CampaignContactPatch = Partial<
  Pick<
    typeof campaignContactsTable.$inferInsert,
    | 'syncStatus'
    | 'lastSyncError'
    | 'blockedFields'
    | 'pinpointCandidateId'
    | 'pinpointApplicationId'
    | 'pinpointJobId'
  >
>;

export interface SyncEventInput {
  readonly teamId: string;
  readonly campaignId: string;
  readonly campaignContactId: string;
  readonly kind: SyncEventKind;
  readonly message: string;
  readonly status?: (typeof campaignContactsTable.$inferSelect)['syncStatus'] | null;
}

/**
 * Inserts one event and notifies subscribers on commit, in one statement (inside the caller's
 * transaction if it is one: the lock lasts until it ends). The team's transaction-scoped advisory
 * lock is taken before the position is drawn, so a transaction that commits later always draws a
 * larger position: a reader that saw position p never later finds a committed event of that team
 * below p. Keep the rest of such a transaction short; the team's other event writers wait for it.
 */
export async function insertSyncEvent(tx: DbOrTx, event: SyncEventInput): Promise<void> {
  await executeNamed(tx, eventStatement(event, null, { notes: false }));
}

/**
 * Applies a state patch and records the event that explains it, atomically: one statement (the
 * patch, then the lock, the event and its NOTIFY), so one round trip and no explicit transaction.
 * Answers whether notes of the contact wait to be written (HELD, or PENDING from an earlier send),
 * read in the same statement, after every earlier statement of the job. With `complete` (a job's
 * ClaimedJob.complete) the same statement also completes the job unless notes wait: `completed`
 * says whether it did (false with no notes waiting: the worker lost the lease).
 */
export async function recordSync(
  db: DbOrTx,
  event: SyncEventInput,
  patch: CampaignContactPatch = {},
  options: { complete?: Completion | undefined } = {},
): Promise<{ waitingNotes: boolean; completed?: boolean }> {
  const patched = Object.keys(patch).length > 0;
  // The ATS reconciler re-reads contacts pushed recently: a push that lands dates it.
  const synced = patch.syncStatus === 'SYNCED' ? { pinpointSyncedAt: new Date() } : {};
  const update = patched
    ? db
        .update(campaignContactsTable)
        .set({ ...patch, ...synced })
        .where(eq(campaignContactsTable.id, event.campaignContactId))
        .returning({ id: campaignContactsTable.id })
    : null;
  const result = await executeNamed(
    db,
    eventStatement({ ...event, status: event.status ?? patch.syncStatus ?? null }, update, {
      notes: true,
      complete: options.complete,
    }),
  );
  const [row] = rowsOf<{ waiting_notes: boolean } & Record<string, unknown>>(result);
  const waitingNotes = row?.waiting_notes === true;
  if (!options.complete) return { waitingNotes };
  return { waitingNotes, completed: options.complete.read(row) };
}

/**
 * `with [patched as (update …),] [completion…,] lock as (…), event as (insert …) select pg_notify(…)`.
 * The lock reads every patched row and the completion's work first, so the rows are locked before
 * the team's log (the order the use cases take them in) and the log is held only for the insert and
 * the commit; the insert reads the lock, so the position (drawn by the column's sequence as the row
 * is formed) comes after it. A completion applies only when no note waits.
 */
function eventStatement(
  event: SyncEventInput,
  update: SQLWrapper | null,
  extra: { notes: boolean; complete?: Completion | undefined },
): SQL {
  const campaignId = event.campaignId ?? null;
  const campaignContactId = event.campaignContactId ?? null;
  const notesWait = sql`exists (select 1 from activities a where a.campaign_contact_id = ${campaignContactId}::uuid
                      and a.note_status in ('HELD', 'PENDING'))`;
  const waitingNotes = extra.notes || extra.complete ? sql`, ${notesWait} as waiting_notes` : sql``;
  const parts = extra.complete?.parts(sql`not ${notesWait}`);
  const completed = parts ? sql`, ${parts.columns}` : sql``;
  const before: SQL[] = [];
  if (update) before.push(sql`patched as ${update}`); // drizzle parenthesises a query builder
  if (parts) before.push(parts.ctes);
  const ctes = before.length > 0 ? sql`${sql.join(before, sql`, `)}, ` : sql``;
  // The completion's work goes in a qual, not a FROM item (the planner drops a subquery whose output
  // nothing reads); reading the patched count there too runs it after the patch, before the lock.
  let afterWork = sql``;
  if (update && parts)
    afterWork = sql` from (select count(*) as n from patched) p where p.n + (${parts.settled}) >= 0`;
  else if (update) afterWork = sql` from (select count(*) from patched) p`;
  else if (parts) afterWork = sql` where (${parts.settled}) >= 0`;
  return sql`
    with ${ctes}lock as materialized (select ${syncEventLogLockSql(event.teamId)} as locked${afterWork}),
    event as (
      insert into sync_events (id, team_id, campaign_id, campaign_contact_id, kind, status, message)
      select ${randomUUID()}::uuid, ${event.teamId}::uuid, ${campaignId}::uuid, ${campaignContactId}::uuid,
             ${event.kind}::sync_event_kind, ${event.status ?? null}::sync_status, ${event.message}
        from lock
      returning id, position
    )
    select pg_notify(${CHANNELS.syncEvent}, json_build_object(
             'teamId', ${event.teamId}::text, 'campaignId', ${campaignId}::text,
             'id', event.id, 'position', event.position)::text)${waitingNotes}${completed}
      from event`;
}
