// The Pinpoint client of one job, shared by the push and ATS-refresh executors: the job's integration
// (connected, its key opened) and a client bound to the job's AbortSignal whose every call first
// waits for the integration's shared rate slot.
import { eq } from 'drizzle-orm';
import { integrationsTable } from '../db/schema.js';
import type { PinpointClient } from '../pinpoint/client.js';
import { openIntegrationKey } from '../secrets/integration-key.js';
import type { Services } from '../services.js';
import type { ClaimedJob, RequestGate } from './executor-types.js';
import { sleep } from './rate-limit.js';

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
  readonly integration: IntegrationRow;
  readonly client: PinpointClient;
  /**
   * The job will make at least `n` more requests: the next one that asks the gate reserves `n`
   * slots in one statement, and the following ones wait for theirs without asking again. A slot
   * left unused (the job stopped early) only delays the integration's later requests by one spacing.
   */
  expectRequests(n: number): void;
}

type IntegrationRow = typeof integrationsTable.$inferSelect;

/** How long an opened key is reused without reading the integration row again. */
const KEY_TTL_MS = 30_000;

interface OpenedKey {
  readonly integration: IntegrationRow;
  readonly connection: { domain: string; apiKey: string };
  readonly until: number;
}

/**
 * Opened keys by integration and key generation, per process's services. Every key change (rotation,
 * re-activation, deactivation) moves the generation on, so an entry never outlives its key; the
 * claim only hands out jobs of a CONNECTED integration and names the generation it saw, so a job
 * whose key changed after its claim reads the row again (and pauses if it is no longer connected).
 */
const openedKeys = new WeakMap<Services, Map<string, OpenedKey>>();

async function openedKeyOf(services: Services, job: ClaimedJob): Promise<OpenedKey | null> {
  let byKey = openedKeys.get(services);
  if (!byKey) {
    byKey = new Map();
    openedKeys.set(services, byKey);
  }
  const cacheKey = `${job.integration.id}:${job.integration.keyGeneration}`;
  const now = Date.now();
  const cached = byKey.get(cacheKey);
  if (cached && cached.until > now) return cached;
  byKey.delete(cacheKey);
  const [integration] = await services.database.db
    .select()
    .from(integrationsTable)
    .where(eq(integrationsTable.id, job.integration.id));
  const connection =
    integration?.status === 'CONNECTED' ? openIntegrationKey(services.secretBox, integration) : null;
  if (!integration || !connection) return null;
  const opened = { integration, connection, until: now + KEY_TTL_MS };
  if (integration.keyGeneration === job.integration.keyGeneration) {
    if (byKey.size >= 1000) byKey.clear();
    byKey.set(cacheKey, opened);
  }
  return opened;
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
  const opened = await openedKeyOf(services, job);
  if (!opened) return null;
  const { integration, connection } = opened;
  let expected = 1;
  const reserved: number[] = [];
  const client = gated(services.pinpointClient({ ...connection, signal }), async () => {
    signal.throwIfAborted();
    if (!gate) return;
    const due = reserved.shift();
    if (due !== undefined) return sleep(Math.ceil(due - performance.now()), signal);
    const slots = expected;
    expected = 1;
    reserved.push(...((await gate(integration.id, signal, slots)) ?? []));
  });
  return {
    integration,
    client,
    expectRequests(n) {
      if (reserved.length === 0) expected = Math.max(1, Math.floor(n));
    },
  };
}
