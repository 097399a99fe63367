// Writes what the sync engine did: campaign-contact state and a sync event, in one short
// transaction, announced over LISTEN/NOTIFY (ids only) on commit.
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { CHANNELS, notify } from '../db/notify.js';
import { campaignContactsTable, syncEventsTable } from '../db/schema.js';
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

/** Inserts one event (inside the caller's transaction) and notifies subscribers on commit. */
export async function insertSyncEvent(tx: DbOrTx, event: SyncEventInput): Promise<void> {
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
    .returning({ id: syncEventsTable.id });
  await notify(tx, CHANNELS.syncEvent, { teamId: event.teamId, campaignId: event.campaignId, id: row!.id });
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
