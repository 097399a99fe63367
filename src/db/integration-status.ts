// Status changes of an integration that both the use cases and the sync engine make, announced over
// LISTEN/NOTIFY in the same statement batch (subscribers re-read the integration).
import { and, eq } from 'drizzle-orm';
import type { PinpointAuthReason } from '../domain/types.js';
import type { DbOrTx } from './client.js';
import { CHANNELS, notify } from './notify.js';
import { integrationsTable } from './schema.js';

/**
 * Pinpoint refused the stored key (401/403) during a check, a catalog read or a sync: the integration
 * goes to ERROR with the reason and the team's jobs pause (without using up their attempts). Guarded by
 * the key generation, so a failure seen with an old key never breaks a newly activated one.
 */
export async function markIntegrationAuthFailed(
  db: DbOrTx,
  integration: { id: string; teamId: string; keyGeneration: number },
  reason: PinpointAuthReason,
): Promise<boolean> {
  const message =
    reason === 'INVALID_API_KEY'
      ? 'Pinpoint stopped accepting the API key (401). An admin must activate Pinpoint again with a valid key; syncing is paused until then.'
      : 'Pinpoint refused the API key (403): it lacks a permission or the API was disabled. Syncing is paused until an admin activates Pinpoint again.';
  const updated = await db
    .update(integrationsTable)
    .set({ status: 'ERROR', statusCode: reason, statusReason: message, lastCheckedAt: new Date() })
    .where(
      and(
        eq(integrationsTable.id, integration.id),
        eq(integrationsTable.keyGeneration, integration.keyGeneration),
        eq(integrationsTable.status, 'CONNECTED'),
      ),
    )
    .returning({ id: integrationsTable.id });
  if (updated.length > 0) {
    await notify(db, CHANNELS.integrationStatus, { teamId: integration.teamId, provider: 'PINPOINT' });
  }
  return updated.length > 0;
}
