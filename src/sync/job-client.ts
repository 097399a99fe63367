// The Pinpoint client of one job, shared by the push and ATS-refresh executors: the job's integration
// (connected, its key opened) and a client bound to the job's AbortSignal whose every call first
// waits for the integration's shared rate slot.
import { eq } from 'drizzle-orm';
import { integrationsTable } from '../db/schema.js';
import type { PinpointClient } from '../pinpoint/client.js';
import { openIntegrationKey } from '../secrets/integration-key.js';
import type { Services } from '../services.js';
import type { ClaimedJob, RequestGate } from './executor-types.js';

/** A client whose every call first waits for the integration's shared request slot. */
export function gated(client: PinpointClient, wait: () => Promise<void>): PinpointClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await wait();
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

export interface JobClient {
  readonly integration: typeof integrationsTable.$inferSelect;
  readonly client: PinpointClient;
}

/**
 * The job's integration and its gated client; null when Pinpoint is not connected (the job pauses).
 * Once the worker aborts (shutdown, lease lost) no further Pinpoint call starts.
 */
export async function openJobClient(
  services: Services,
  job: ClaimedJob,
  signal: AbortSignal,
  gate: RequestGate | undefined,
): Promise<JobClient | null> {
  const [integration] = await services.database.db
    .select()
    .from(integrationsTable)
    .where(eq(integrationsTable.id, job.integration.id));
  const connection =
    integration?.status === 'CONNECTED' ? openIntegrationKey(services.secretBox, integration) : null;
  if (!integration || !connection) return null;
  const client = gated(services.pinpointClient({ ...connection, signal }), async () => {
    signal.throwIfAborted();
    if (gate) await gate(integration.id, signal);
  });
  return { integration, client };
}
