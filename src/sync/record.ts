// Writes what the sync engine did: campaign-contact state and a sync event, in one short
// transaction, announced over LISTEN/NOTIFY (ids and position) on commit.
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { CHANNELS, notify } from '../db/notify.js';
import { campaignContactsTable, syncEventsTable } from '../db/schema.js';
import { lockSyncEventLog } from '../db/sync-event-log.js';
import type { SyncEventKind } from '../domain/types.js';

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
 * Inserts one event (inside the caller's transaction, which must be one: the lock lasts until it
 * ends) and notifies subscribers on commit. The team's transaction-scoped advisory lock is taken
 * before the position is drawn, so a transaction that commits later always draws a larger position:
 * a reader that saw position p never later finds a committed event of that team below p. Keep the
 * rest of such a transaction short; the team's other event writers wait for it.
 */
export async function insertSyncEvent(tx: DbOrTx, event: SyncEventInput): Promise<void> {
  await lockSyncEventLog(tx, event.teamId);
  const [row] = await tx
    .insert(syncEventsTable)
    .values({
      teamId: event.teamId,
      campaignId: event.campaignId,
      campaignContactId: event.campaignContactId,
      kind: event.kind,
      message: event.message,
      status: event.status ?? null,
    })
    .returning({ id: syncEventsTable.id, position: syncEventsTable.position });
  await notify(tx, CHANNELS.syncEvent, {
    teamId: event.teamId,
    campaignId: event.campaignId,
    id: row!.id,
    position: row!.position,
  });
}

/** Applies a state patch and records the event that explains it, atomically. */
export async function recordSync(
  db: DbOrTx,
  event: SyncEventInput,
  patch: CampaignContactPatch = {},
): Promise<void> {
  await db.transaction(async (tx) => {
    if (Object.keys(patch).length > 0) {
      // The ATS reconciler re-reads contacts pushed recently: a push that lands dates it.
      const synced = patch.syncStatus === 'SYNCED' ? { pinpointSyncedAt: new Date() } : {};
      await tx
        .update(campaignContactsTable)
        .set({ ...patch, ...synced })
        .where(eq(campaignContactsTable.id, event.campaignContactId));
    }
    await insertSyncEvent(tx, { ...event, status: event.status ?? patch.syncStatus ?? null });
  });
}
