import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncJobsTable } from '../../src/db/schema.js';
import { createExecutor } from '../../src/sync/executor.js';
import { createRequestGate } from '../../src/sync/rate-limit.js';
import { startWorkers } from '../../src/sync/worker.js';
import { ACTIVATE } from '../helpers/pinpoint.js';
import {
  addContacts,
  applicationsFor,
  createCampaign,
  person,
  readContact,
  recordActivity,
  recordReply,
  type SyncWorld,
  setupTeam,
  startSyncWorld,
  waitForIdle,
  waitForStatus,
} from '../helpers/sync.js';

let world: SyncWorld;
beforeAll(async () => {
  world = await startSyncWorld();
});
afterAll(async () => {
  await world?.stop();
});

const PUSH_ON_ADD = { addApplicationWhen: 'ADDED_TO_CAMPAIGN' };

async function eventsOf(
  team: { adminToken: string },
  ccId: string,
): Promise<{ kind: string; message: string }[]> {
  const res = await world.t.gql<{
    syncEvents: {
      edges: { node: { kind: string; message: string; campaignContact: { id: string } | null } }[];
    };
  }>(
    `{ syncEvents(first: 100) { edges { node { kind message campaignContact { id } } } } }`,
    {},
    team.adminToken,
  );
  return (res.data?.syncEvents.edges ?? [])
    .map((e) => e.node)
    .filter((n) => n.campaignContact?.id === ccId)
    .reverse();
}

describe('transient Pinpoint failures cost nothing', () => {
  it('honours Retry-After on a 429, then pushes once', async () => {
    const team = await setupTeam(world, PUSH_ON_ADD);
    const campaignId = await createCampaign(world, team);
    world.sim.setFaults(team.company.domain, { rateLimit: { count: 1, retryAfterSeconds: 1 } });
    const started = Date.now();
    const p = person('rl');
    const [cc] = await addContacts(world, team, campaignId, [p]);
    await waitForStatus(world, team, cc!, 'SYNCED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(applicationsFor(world, team, p.email)).toHaveLength(1);
    const kinds = (await eventsOf(team, cc!)).map((e) => e.kind);
    expect(kinds).toEqual(['RETRYING', 'CREATED']);
  });

  it('retries a 500 and then succeeds', async () => {
    const team = await setupTeam(world, PUSH_ON_ADD);
    const campaignId = await createCampaign(world, team);
    world.sim.setFaults(team.company.domain, { serverErrors: { count: 2, status: 500 } });
    const p = person('5xx');
    const [cc] = await addContacts(world, team, campaignId, [p]);
    await waitForStatus(world, team, cc!, 'SYNCED');
    expect(applicationsFor(world, team, p.email)).toHaveLength(1);
    const events = await eventsOf(team, cc!);
    expect(events.filter((e) => e.kind === 'RETRYING').length).toBe(2);
    expect(events[0]!.message).toMatch(/server error \(500\)/);
  });

  it('after the connection drops once Pinpoint applied the create, retries end with exactly one application', async () => {
    const team = await setupTeam(world, PUSH_ON_ADD);
    const campaignId = await createCampaign(world, team);
    world.sim.setFaults(team.company.domain, { dropAfterWrite: { count: 1 } });
    const p = person('drop');
    const [cc] = await addContacts(world, team, campaignId, [p]);
    const state = await waitForStatus(world, team, cc!, 'SYNCED');
    const apps = applicationsFor(world, team, p.email);
    expect(apps).toHaveLength(1);
    expect(world.sim.store.counters(team.company.domain).duplicateApplications).toBe(0);
    expect(state.pinpointApplicationId).toBe(apps[0]!.id);
    expect((await eventsOf(team, cc!)).map((e) => e.kind)).toEqual(['RETRYING', 'LINKED']);
  });

  it('gives up after the attempts run out, shows FAILED, and retrySync brings it back', async () => {
    const team = await setupTeam(world, PUSH_ON_ADD);
    const campaignId = await createCampaign(world, team);
    world.sim.setFaults(team.company.domain, { serverErrors: { count: 6, status: 503 } });
    const p = person('dead');
    const [cc] = await addContacts(world, team, campaignId, [p]);
    const failed = await waitForStatus(world, team, cc!, 'FAILED');
    expect(failed.lastSyncError).toMatch(/503/);
    expect((await eventsOf(team, cc!)).at(-1)?.kind).toBe('DEAD');
    world.sim.clearFaults(team.company.domain);
    await world.t.gql(
      `mutation($id: ID!) { retrySync(campaignContactId: $id) { __typename } }`,
      { id: cc },
      team.memberToken,
    );
    await waitForStatus(world, team, cc!, 'SYNCED');
    expect(applicationsFor(world, team, p.email)).toHaveLength(1);
  });
});

describe('a key revoked mid-run', () => {
  it('pauses the jobs and flips the integration to ERROR; re-activation resumes them and all complete', async () => {
    const team = await setupTeam(world, PUSH_ON_ADD);
    const campaignId = await createCampaign(world, team);
    const company = world.sim.store.company(team.company.domain)!;
    const permissions = company.apiKeys.get(team.company.apiKey)!;
    company.apiKeys.delete(team.company.apiKey);
    const people = [person('k1'), person('k2'), person('k3')];
    const ccs = await addContacts(world, team, campaignId, people);
    const deadline = Date.now() + 8000;
    let jobs: { status: string; attempts: number }[] = [];
    while (Date.now() < deadline) {
      jobs = await world.t.database.db
        .select({ status: syncJobsTable.status, attempts: syncJobsTable.attempts })
        .from(syncJobsTable)
        .where(eq(syncJobsTable.teamId, team.teamId));
      if (jobs.length === 3 && jobs.every((j) => j.status === 'PAUSED')) break;
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(jobs.map((j) => j.status)).toEqual(['PAUSED', 'PAUSED', 'PAUSED']);
    expect(jobs.every((j) => j.attempts === 0)).toBe(true);
    const integration = await world.t.gql<{ integration: { status: string; statusCode: string } }>(
      '{ integration(provider: PINPOINT) { status statusCode } }',
      {},
      team.memberToken,
    );
    expect(integration.data?.integration).toEqual({ status: 'ERROR', statusCode: 'INVALID_API_KEY' });

    const newKey = `pp_new_${Math.random().toString(36).slice(2)}`;
    company.apiKeys.set(newKey, permissions);
    const res = await world.t.gql<{ activatePinpoint: { __typename: string } }>(
      ACTIVATE,
      { input: { apiKey: newKey, domain: team.company.domain } },
      team.adminToken,
    );
    expect(res.data?.activatePinpoint.__typename).toBe('Integration');
    for (const cc of ccs) await waitForStatus(world, team, cc, 'SYNCED');
    for (const p of people) expect(applicationsFor(world, team, p.email)).toHaveLength(1);
  });
});

describe('a worker killed mid-job', () => {
  it('lets the lease expire, and another worker completes the job exactly once', async () => {
    const team = await setupTeam(world, PUSH_ON_ADD);
    const campaignId = await createCampaign(world, team, { name: 'Crash campaign' });
    // A second worker set for this team only, with a short lease; the world's own workers do not
    // see this team until we hand it over.
    world.t.teamIds.splice(world.t.teamIds.indexOf(team.teamId), 1);
    const services = world.t.server.services;
    const settings = { ...world.t.config.sync, leaseMs: 400 };
    const doomed = startWorkers({
      database: world.t.database,
      executor: createExecutor(services, {
        gate: createRequestGate(world.t.database.db, { requestsPerSecond: 1000 }),
      }),
      logger: services.logger,
      concurrency: 1,
      settings,
      onlyTeams: [team.teamId],
    });
    world.sim.setFaults(team.company.domain, { latencyMs: 300 });
    const p = person('crash');
    const [cc] = await addContacts(world, team, campaignId, [p]);
    // Wait until the doomed worker holds the job, then "kill" it.
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const [job] = await world.t.database.db
        .select({ status: syncJobsTable.status })
        .from(syncJobsTable)
        .where(and(eq(syncJobsTable.teamId, team.teamId)));
      if (job?.status === 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    doomed.abandon();
    world.sim.clearFaults(team.company.domain);
    world.t.teamIds.push(team.teamId);
    await waitForStatus(world, team, cc!, 'SYNCED');
    await waitForIdle(world, team);
    await new Promise((r) => setTimeout(r, 600)); // the abandoned execution finishes late: it must change nothing
    expect(applicationsFor(world, team, p.email)).toHaveLength(1);
    expect(world.sim.store.counters(team.company.domain).duplicateApplications).toBe(0);
    const [job] = await world.t.database.db
      .select()
      .from(syncJobsTable)
      .where(eq(syncJobsTable.teamId, team.teamId));
    expect(job?.status).toBe('DONE');
    expect((await readContact(world, team, cc!)).syncStatus).toBe('SYNCED');
  });
});

describe('secrets during sync', () => {
  it('no API key appears in any log line, job payload, sync event or stored column', async () => {
    const team = await setupTeam(world, PUSH_ON_ADD);
    const campaignId = await createCampaign(world, team);
    world.sim.setFaults(team.company.domain, { serverErrors: { count: 1 } });
    const [cc] = await addContacts(world, team, campaignId, [person('secret')]);
    await waitForStatus(world, team, cc!, 'SYNCED');
    const { sql } = await import('drizzle-orm');
    const dump = JSON.stringify(
      await world.t.database.db.execute(
        sql`select (select json_agg(j) from sync_jobs j) as jobs, (select json_agg(e) from sync_events e) as events, (select json_agg(i) from integrations i) as integrations, (select json_agg(c) from campaign_contacts c) as contacts`,
      ),
    );
    expect(dump).toContain(team.company.domain); // the dump really holds this team's data
    expect(dump).not.toContain(team.company.apiKey);
    expect(world.t.logs.join('\n')).not.toContain(team.company.apiKey);
  });
});

describe('notes survive failures around the push', () => {
  it('held notes are written after a note failure that came once the application was linked', async () => {
    const team = await setupTeam(world, { addApplicationWhen: 'REPLIED' });
    const campaignId = await createCampaign(world, team);
    const [cc] = await addContacts(world, team, campaignId, [person('held-fail')]);
    await recordActivity(world, team, cc!, {
      type: 'MESSAGE_SENT',
      subject: 'One',
      occurredAt: '2026-11-01T09:00:00.000Z',
    });
    await recordActivity(world, team, cc!, {
      type: 'MESSAGE_SENT',
      subject: 'Two',
      occurredAt: '2026-11-02T09:00:00.000Z',
    });
    await waitForIdle(world, team);
    world.sim.setFaults(team.company.domain, { serverErrors: { count: 1, status: 503, path: '/comments' } });
    await recordReply(world, team, cc!, false);
    await waitForStatus(world, team, cc!, 'SYNCED');
    await waitForIdle(world, team);
    const comments = world.sim.store.listComments(team.company.domain);
    expect(comments.map((c) => c.bodyText.split('\n')[1] ?? c.bodyText.split(' —')[0])).toEqual([
      'Subject: One',
      'Subject: Two',
      'Reply received via email',
    ]);
  });

  it('a reply’s notes wait while its push fails, and land once the push succeeds', async () => {
    const team = await setupTeam(world, { addApplicationWhen: 'REPLIED' });
    const campaignId = await createCampaign(world, team, {
      fieldValues: [{ field: 'job', value: team.phoneJob.id }],
    });
    const [cc] = await addContacts(world, team, campaignId, [person('needs-phone')]);
    await recordReply(world, team, cc!, true);
    await waitForStatus(world, team, cc!, 'FAILED');
    expect(world.sim.store.listComments(team.company.domain)).toHaveLength(0);
    const state = await readContact(world, team, cc!);
    const fixed = await world.t.gql(
      `mutation($id: ID!) { updateContact(id: $id, input: { phone: "+44 20 7946 0000" }) { __typename } }`,
      { id: state.contact.id },
      team.memberToken,
    );
    expect(fixed.errors).toBeUndefined();
    await world.t.gql(
      `mutation($id: ID!) { retrySync(campaignContactId: $id) { __typename } }`,
      { id: cc },
      team.memberToken,
    );
    await waitForStatus(world, team, cc!, 'SYNCED');
    await waitForIdle(world, team);
    expect(world.sim.store.listComments(team.company.domain).map((c) => c.bodyText.split(' —')[0])).toEqual([
      'Reply received via email',
      'Marked as interested via email',
    ]);
  });

  it('a note whose connection dropped after Pinpoint applied it is not sent twice, and says so', async () => {
    const team = await setupTeam(world, { addApplicationWhen: 'ADDED_TO_CAMPAIGN' });
    const campaignId = await createCampaign(world, team);
    const [cc] = await addContacts(world, team, campaignId, [person('note-drop')]);
    await waitForStatus(world, team, cc!, 'SYNCED');
    world.sim.setFaults(team.company.domain, { dropAfterWrite: { count: 1, path: '/comments' } });
    await recordActivity(world, team, cc!, { type: 'MESSAGE_SENT', subject: 'Exactly once' });
    await recordActivity(world, team, cc!, { type: 'MESSAGE_SENT', subject: 'After the drop' });
    await waitForIdle(world, team);
    const subjects = world.sim.store.listComments(team.company.domain).map((c) => c.bodyText.split('\n')[1]);
    expect(subjects).toEqual(['Subject: Exactly once', 'Subject: After the drop']);
    const events = await eventsOf(team, cc!);
    expect(events.some((e) => e.kind === 'SKIPPED' && /may already have it/.test(e.message))).toBe(true);
  });
});

describe('one person in two campaigns', () => {
  it('added to two campaigns on the same job at once, becomes one candidate with one application', async () => {
    const team = await setupTeam(world, PUSH_ON_ADD);
    const first = await createCampaign(world, team, { name: 'Campaign A' });
    const second = await createCampaign(world, team, { name: 'Campaign B' });
    // Slow answers make the two pushes overlap: each lookup finishes before the other's create.
    world.sim.setFaults(team.company.domain, { latencyMs: 250 });
    const email = `twice-${Math.random().toString(36).slice(2, 8)}@example.com`;
    const contact = { email, firstName: 'Katherine', lastName: 'Johnson' };
    const [a, b] = await Promise.all([
      addContacts(world, team, first, [contact]),
      addContacts(world, team, second, [contact]),
    ]);
    const [stateA, stateB] = await Promise.all([
      waitForStatus(world, team, a![0]!, 'SYNCED'),
      waitForStatus(world, team, b![0]!, 'SYNCED'),
    ]);
    world.sim.clearFaults(team.company.domain);
    expect(applicationsFor(world, team, email)).toHaveLength(1);
    expect(
      world.sim.store.listCandidates(team.company.domain).filter((c) => c.attributes.email === email),
    ).toHaveLength(1);
    expect(world.sim.store.counters(team.company.domain).duplicateApplications).toBe(0);
    expect(stateA.pinpointApplicationId).toBe(stateB.pinpointApplicationId);
  });
});
