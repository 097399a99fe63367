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
   * The job will make at least `n` more requests: their slots are reserved together (see slotsOf),
   * and the following requests wait for theirs without asking again. A slot left unused (the job
   * stopped early) only delays the integration's later requests by one spacing.
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
  const slots = gate ? slotsOf(gate, integration.id, signal) : null;
  const client = gated(services.pinpointClient({ ...connection, signal }), async () => {
    signal.throwIfAborted();
    await slots?.next();
  });
  return {
    integration,
    client,
    expectRequests(n) {
      slots?.expect(n);
    },
  };
}

/**
 * Per integration, how many requests the last job expected at its first one (its run), by this
 * process: a job reserving ahead takes that many. Bounded like the opened keys.
 */
const runLengths = new Map<string, number>();

/**
 * A job's request slots from the shared gate. Each request waits for a slot of its own. `expect(n)`
 * before a request: the next reservation takes `n` slots in one statement. While the integration's
 * limiter is idle (RequestGate.isIdle), the job reserves its run's slots as it opens, while it reads
 * its context (as many as the integration's last job expected), and any it lacks while its first
 * request runs: it then waits for no gate statement at all. A slot reserved and not used costs one
 * spacing, as an expected request the job did not make does.
 */
function slotsOf(gate: RequestGate, integrationId: string, signal: AbortSignal) {
  let expected = 1;
  let first = true;
  /** Due times of slots reserved and not yet used; a pending reservation's, as a promise. */
  let reserved: number[] = [];
  let pending: Promise<readonly number[] | undefined> | null = null;
  let unlimited = false;
  const reserveAhead = (n: number) => {
    if (!gate.reserve) return null;
    const reservation = gate.reserve(integrationId, n);
    reservation.catch(() => {}); // a failed reservation ahead is only asked again, by the request
    return reservation;
  };
  if (gate.isIdle?.(integrationId)) pending = reserveAhead(runLengths.get(integrationId) ?? 1);
  /** Waits for a slot already reserved (or being reserved); false when there is none. */
  const take = async (): Promise<boolean> => {
    if (pending) {
      const reservation = pending;
      pending = null;
      const due = await reservation.catch(() => null);
      if (due === undefined) unlimited = true;
      if (due) reserved.push(...due);
    }
    if (first) {
      first = false;
      if (runLengths.size >= 1000) runLengths.clear();
      runLengths.set(integrationId, expected);
    }
    if (unlimited) return true;
    const due = reserved.shift();
    if (due === undefined) return false;
    // More requests to come than slots in hand: reserve the others while this one runs.
    if (expected - 1 > reserved.length) pending = reserveAhead(expected - 1 - reserved.length);
    expected = 1;
    await sleep(Math.ceil(due - performance.now()), signal);
    return true;
  };
  return {
    expect(n: number) {
      if (reserved.length === 0) expected = Math.max(1, Math.floor(n));
    },
    /** Resolves when the job's next request may be sent. */
    async next(): Promise<void> {
      if (await take()) return;
      const n = expected;
      expected = 1;
      reserved = [...((await gate(integrationId, signal, n)) ?? [])];
    },
  };
}
