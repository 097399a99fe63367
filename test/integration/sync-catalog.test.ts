// A job reads the account's custom fields through its own gated client: the call waits for the
// integration's shared rate slot, a Pinpoint failure is a counted transient failure like any other,
// and stopping the worker cancels the call. Real server, real workers, the Pinpoint simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncJobsTable } from '../../src/db/schema.js';
import type { Services } from '../../src/services.js';
import { createExecutor } from '../../src/sync/executor.js';
import type { JobExecutor, JobOutcome, RequestGate } from '../../src/sync/executor-types.js';
import { createRequestGate, readBreaker } from '../../src/sync/rate-limit.js';
import { startWorkers } from '../../src/sync/worker.js';
import {
  addContacts,
  createCampaign,
  person,
  readContact,
  type SyncTeam,
  type SyncWorld,
  setupTeam,
  startSyncWorld,
  waitForStatus,
} from '../helpers/sync.js';

let world: SyncWorld;
beforeAll(async () => {
  world = await startSyncWorld();
});
afterAll(async () => {
  await world?.stop();
});

/** A team that pushes on add and maps the contact's company to a candidate custom field. */
async function teamWithCustomMapping(): Promise<SyncTeam> {
  const team = await setupTeam(world, { addApplicationWhen: 'ADDED_TO_CAMPAIGN' });
  const res = await world.t.gql<{ setFieldMappings: { __typename: string } }>(
    `mutation($input: [FieldMappingInput!]!) { setFieldMappings(input: $input) { __typename } }`,
    {
      input: [
        { pinpointField: 'first_name', variable: 'FIRST_NAME' },
        { pinpointField: 'last_name', variable: 'LAST_NAME' },
        { pinpointField: 'email', variable: 'EMAIL' },
        { pinpointField: `custom:${team.company.customFieldIds[0]}`, variable: 'COMPANY' },
      ],
    },
    team.adminToken,
  );
  expect(res.data?.setFieldMappings.__typename).toBe('TeamSettings');
  return team;
}

/** Takes the team away from the world's workers, so the test's own workers run its jobs. */
function handOver(team: SyncTeam): void {
  world.t.teamIds.splice(world.t.teamIds.indexOf(team.teamId), 1);
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const customFieldCalls = (team: SyncTeam) =>
  world.sim.store.requestLog(team.company.domain).filter((r) => r.path === '/custom_fields');

describe('the job’s custom-field read', () => {
  it('treats a 500 from /custom_fields as a transient failure the breaker counts, never as unexpected', async () => {
    const team = await teamWithCustomMapping();
    const campaignId = await createCampaign(world, team);
    world.sim.setFaults(team.company.domain, {
      serverErrors: { count: 1000, status: 500, path: '/custom_fields' },
    });
    const logsBefore = world.t.logs.length;
    const [cc] = await addContacts(world, team, campaignId, [person('cf500', { company: 'Engines Ltd' })]);
    await until(
      async () => ((await readBreaker(world.t.database.db, team.teamId))?.failures ?? 0) >= 1,
      'the breaker to count the failure',
    );
    await until(
      async () => /server error \(500\)/.test((await readContact(world, team, cc!)).lastSyncError ?? ''),
      'the contact to show the retried server error',
    );
    world.sim.clearFaults(team.company.domain);
    const synced = await waitForStatus(world, team, cc!, 'SYNCED');
    const candidate = world.sim.store
      .listCandidates(team.company.domain)
      .find((c) => c.id === synced.pinpointCandidateId);
    expect(candidate?.customAttributes.map((a) => a.value)).toEqual(['Engines Ltd']);
    const logs = world.t.logs.slice(logsBefore).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
    expect(logs.some((l) => String(l.msg).includes('unexpected'))).toBe(false);
    expect(logs.some((l) => l.msg === 'Pinpoint call failed' && l.kind === 'SERVER')).toBe(true);
  });

  it('waits for the integration’s shared request slot, like every other call of the job', async () => {
    const team = await teamWithCustomMapping();
    handOver(team);
    const services = world.t.server.services;
    const realGate = createRequestGate(world.t.database.db, { requestsPerSecond: 1000 });
    let gated = 0;
    const gate: RequestGate = async (integrationId, signal) => {
      gated += 1;
      await realGate(integrationId, signal);
    };
    const workers = startWorkers({
      database: world.t.database,
      executor: createExecutor(services, { gate }),
      logger: services.logger,
      concurrency: 1,
      settings: world.t.config.sync,
      onlyTeams: [team.teamId],
    });
    try {
      const campaignId = await createCampaign(world, team);
      const requestsBefore = world.sim.store.requestLog(team.company.domain).length;
      const callsBefore = customFieldCalls(team).length;
      const [cc] = await addContacts(world, team, campaignId, [person('cfgate', { company: 'Gate Ltd' })]);
      await waitForStatus(world, team, cc!, 'SYNCED');
      expect(customFieldCalls(team).length).toBe(callsBefore + 1);
      const jobRequests = world.sim.store.requestLog(team.company.domain).length - requestsBefore;
      expect(gated).toBe(jobRequests);
    } finally {
      await workers.stop();
    }
  });

  it('is cancelled when the worker stops mid-call: the execution returns, the lease is handed back', async () => {
    const team = await teamWithCustomMapping();
    handOver(team);
    const base = world.t.server.services;
    // A client that would wait a minute on its own: only the job's AbortSignal can end the call.
    const services: Services = {
      ...base,
      pinpointClient: (connection) => base.pinpointClient({ ...connection, timeoutMs: 60_000 }),
    };
    const executor = createExecutor(services, {
      gate: createRequestGate(world.t.database.db, { requestsPerSecond: 1000 }),
    });
    const outcomes: JobOutcome[] = [];
    const watched: JobExecutor = {
      ...executor,
      execute: async (job, signal) => {
        const outcome = await executor.execute(job, signal);
        outcomes.push(outcome);
        return outcome;
      },
    };
    const workers = startWorkers({
      database: world.t.database,
      executor: watched,
      logger: base.logger,
      concurrency: 1,
      settings: { ...world.t.config.sync, shutdownGraceMs: 0 },
      onlyTeams: [team.teamId],
    });
    const campaignId = await createCampaign(world, team);
    world.sim.setFaults(team.company.domain, { hang: { count: 1, path: '/custom_fields' } });
    const callsBefore = customFieldCalls(team).length;
    await addContacts(world, team, campaignId, [person('cfhang', { company: 'Hang Ltd' })]);
    await until(() => customFieldCalls(team).length > callsBefore, 'the job to call /custom_fields');
    await workers.stop();
    // The execution itself returned (its call aborted) before stop() resolved; without the signal it
    // would still be waiting for Pinpoint and stop() would have taken the lease back on its own.
    expect(outcomes).toEqual([expect.objectContaining({ kind: 'retry', breaker: false })]);
    const { eq } = await import('drizzle-orm');
    const [job] = await world.t.database.db
      .select({ status: syncJobsTable.status, attempts: syncJobsTable.attempts })
      .from(syncJobsTable)
      .where(eq(syncJobsTable.teamId, team.teamId));
    expect(job).toEqual({ status: 'QUEUED', attempts: 0 });
  });
});
