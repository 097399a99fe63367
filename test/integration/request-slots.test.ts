// A job's request slots (sync/job-client.ts) against the real shared gate, database and simulator:
// while the integration's limiter is idle a job reserves its slots as it opens and while its first
// request runs, so no gate statement sits between its requests; a busy limiter is asked at each
// request, as before; and the spacing between requests holds either way.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrationsTable } from '../../src/db/schema.js';
import type { ClaimedJob, RequestGate } from '../../src/sync/executor-types.js';
import { openJobClient } from '../../src/sync/job-client.js';
import { createRequestGate } from '../../src/sync/rate-limit.js';
import { type SyncTeam, type SyncWorld, setupTeam, startSyncWorld } from '../helpers/sync.js';

let world: SyncWorld;
beforeAll(async () => {
  world = await startSyncWorld();
});
afterAll(async () => {
  await world?.stop();
});

/** The real gate, with every statement it runs written down in order (`gate n` / `reserve n`). */
function recordingGate(requestsPerSecond: number) {
  const real = createRequestGate(world.t.database.db, { requestsPerSecond });
  const calls: string[] = [];
  const gate: RequestGate = Object.assign(
    (integrationId: string, signal?: AbortSignal, slots = 1) => {
      calls.push(`gate ${slots}`);
      return real(integrationId, signal, slots);
    },
    {
      reserve: (integrationId: string, slots: number) => {
        calls.push(`reserve ${slots}`);
        return real.reserve?.(integrationId, slots) ?? Promise.resolve(undefined);
      },
      isIdle: (integrationId: string) => real.isIdle?.(integrationId) ?? false,
    },
  );
  return { gate, calls, real };
}

async function jobOf(team: SyncTeam): Promise<ClaimedJob> {
  const [integration] = await world.t.database.db
    .select()
    .from(integrationsTable)
    .where(eq(integrationsTable.teamId, team.teamId));
  if (!integration) throw new Error('no integration');
  return {
    id: crypto.randomUUID(),
    teamId: team.teamId,
    campaignContactId: crypto.randomUUID(),
    payload: { v: 1, event: { kind: 'ADDED' } },
    attempts: 0,
    integration: { id: integration.id, keyGeneration: integration.keyGeneration },
  };
}

/** Opens the job's client and makes `requests` look-ups, announcing them first as a push does. */
async function runJob(gate: RequestGate, job: ClaimedJob, requests: number, calls: string[]) {
  const opened = await openJobClient(world.t.server.services, job, new AbortController().signal, gate);
  if (!opened) throw new Error('not connected');
  calls.push('opened');
  opened.expectRequests(requests);
  const times: number[] = [];
  for (let i = 0; i < requests; i++) {
    calls.push(`request ${i + 1}`);
    await opened.client.findCandidatesByEmail(`nobody-${i}@example.com`);
    times.push(performance.now());
  }
  return times;
}

describe('request slots', () => {
  it('reserve answers when each slot is due without waiting; isIdle says whether the limiter was behind', async () => {
    const team = await setupTeam(world);
    const { integration } = await jobOf(team);
    const gate = createRequestGate(world.t.database.db, { requestsPerSecond: 2 });
    expect(gate.isIdle?.(integration.id)).toBe(false); // nothing known yet
    const first = (await gate.reserve?.(integration.id, 2)) ?? [];
    expect(first).toHaveLength(2);
    expect(first[1]! - first[0]!).toBeCloseTo(500, 5);
    expect(gate.isIdle?.(integration.id)).toBe(true); // due at once: nothing was reserved before
    const next = (await gate.reserve?.(integration.id, 1)) ?? [];
    // Answered at once, for a slot a second away: after the two before it.
    expect(next[0]! - performance.now()).toBeGreaterThan(600);
    expect(next[0]! - first[0]!).toBeGreaterThan(900);
    expect(gate.isIdle?.(integration.id)).toBe(false);
  });

  it('an idle limiter: slots reserved as the job opens and during its first request, none between requests', async () => {
    const team = await setupTeam(world);
    const job = await jobOf(team);
    const { gate, calls, real } = recordingGate(1000);
    // The integration's limiter is idle, as this process last saw it.
    await real.reserve?.(job.integration.id, 1);
    await runJob(gate, job, 2, calls);
    // The run's length is not known yet: one slot ahead, the second reserved as the first request runs.
    expect(calls).toEqual(['reserve 1', 'opened', 'request 1', 'reserve 1', 'request 2']);
    calls.length = 0;
    await runJob(gate, await jobOf(team), 2, calls);
    // The next job of the integration reserves the run the last one expected, both slots ahead.
    expect(calls).toEqual(['reserve 2', 'opened', 'request 1', 'request 2']);
  });

  it('a busy limiter: the job asks the gate at its first request, for its whole run, and the spacing holds', async () => {
    const team = await setupTeam(world);
    const job = await jobOf(team);
    const spacingMs = 100;
    const { gate, calls, real } = recordingGate(1000 / spacingMs);
    // Two slots taken: the next reservation is behind, so the limiter is busy.
    await real.reserve?.(job.integration.id, 2);
    expect(real.isIdle?.(job.integration.id)).toBe(true);
    await real.reserve?.(job.integration.id, 1);
    expect(real.isIdle?.(job.integration.id)).toBe(false);
    const started = performance.now();
    const times = await runJob(gate, job, 3, calls);
    expect(calls).toEqual(['opened', 'request 1', 'gate 3', 'request 2', 'request 3']);
    // Three slots were taken before the job's: its first request waits for the fourth.
    expect(times[0]! - started).toBeGreaterThanOrEqual(2 * spacingMs - 20);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(spacingMs - 20);
  });
});
