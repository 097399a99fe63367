// An end-to-end sync world for tests: the Pinpoint simulator, a server running the real workers and
// executor against it, and GraphQL shortcuts for the steps a recruiter takes.
import { expect } from 'vitest';
import {
  connectPinpoint,
  type PinpointSimulator,
  type SimCompanyHandle,
  seedCompany,
  startSimulator,
} from './pinpoint.js';
import { TestServer, type TestTeam } from './server.js';

/** Fast queue timings so failures and retries play out in milliseconds. */
export const FAST_SYNC_ENV: Record<string, string> = {
  WORKER_CONCURRENCY: '4',
  WORKER_POLL_INTERVAL_MS: '50',
  WORKER_LEASE_MS: '3000',
  WORKER_SHUTDOWN_GRACE_MS: '500',
  SYNC_BACKOFF_BASE_MS: '20',
  SYNC_BACKOFF_CAP_MS: '200',
  SYNC_MAX_ATTEMPTS: '6',
  PINPOINT_REQUESTS_PER_SECOND: '1000',
  PINPOINT_MAX_CONCURRENCY: '8',
  PINPOINT_TIMEOUT_MS: '1500',
  BREAKER_THRESHOLD: '50',
  BREAKER_COOLDOWN_MS: '200',
};

export interface SyncWorld {
  readonly sim: PinpointSimulator;
  readonly t: TestServer;
  stop(): Promise<void>;
}

export async function startSyncWorld(env: Record<string, string> = {}): Promise<SyncWorld> {
  const sim = await startSimulator();
  const t = await TestServer.start({
    env: { ...FAST_SYNC_ENV, PINPOINT_BASE_URL: sim.baseUrlTemplate, ...env },
    workers: true,
  });
  return {
    sim,
    t,
    async stop() {
      await t.stop();
      await sim.close();
    },
  };
}

export interface SyncTeam extends TestTeam {
  readonly company: SimCompanyHandle;
  /** The first open job (no extra required fields) and its stages. */
  readonly job: { id: string; stages: { id: string; name: string }[] };
  /** The open job that requires a phone. */
  readonly phoneJob: { id: string; stages: { id: string; name: string }[] };
}

type Loose = Record<string, unknown>;

async function ok<T>(
  world: SyncWorld,
  token: string,
  query: string,
  variables: Loose,
  field: string,
): Promise<T> {
  const res = await world.t.gql<Record<string, T & { __typename?: string }>>(query, variables, token);
  if (res.errors) throw new Error(`${field}: ${JSON.stringify(res.errors)}`);
  const value = res.data?.[field];
  if (
    !value ||
    (value.__typename &&
      ![
        'Campaign',
        'CampaignContact',
        'TeamSettings',
        'Contact',
        'AddContactsToCampaignPayload',
        'UserSettings',
      ].includes(value.__typename))
  ) {
    throw new Error(`${field} failed: ${JSON.stringify(res.body)}`);
  }
  return value;
}

/** A team connected to a fresh simulator company, with team settings applied. */
export async function setupTeam(world: SyncWorld, settings: Loose = {}): Promise<SyncTeam> {
  const team = await world.t.createTeam();
  const company = seedCompany(world.sim);
  await connectPinpoint(world.t, team, company);
  if (Object.keys(settings).length > 0) await updateTeamSettings(world, team, settings);
  return { ...team, company, job: company.jobs[0]!, phoneJob: company.jobs[1]! };
}

export async function updateTeamSettings(world: SyncWorld, team: TestTeam, input: Loose): Promise<void> {
  await ok(
    world,
    team.adminToken,
    `mutation($input: TeamSettingsInput!) { updateTeamSettings(input: $input) { __typename ... on Error { message } } }`,
    { input },
    'updateTeamSettings',
  );
}

export async function createCampaign(
  world: SyncWorld,
  team: SyncTeam,
  input: { syncAs?: string; options?: Loose | null; fieldValues?: Loose[]; name?: string } = {},
): Promise<string> {
  const campaign = await ok<{ id: string }>(
    world,
    team.adminToken,
    `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { __typename ... on Campaign { id } ... on Error { message } } }`,
    {
      input: {
        name: input.name ?? 'Backend hiring',
        channel: 'EMAIL',
        syncAs: input.syncAs ?? 'APPLICATION',
        options: input.options ?? null,
        fieldValues: input.fieldValues ?? [{ field: 'job', value: team.job.id }],
      },
    },
    'createCampaign',
  );
  return campaign.id;
}

export interface ContactFields {
  email: string;
  firstName?: string;
  lastName?: string;
  phone?: string;
  company?: string;
  jobTitle?: string;
  linkedinUrl?: string;
}

export function person(n: number | string, extra: Partial<ContactFields> = {}): ContactFields {
  return {
    email: `person${n}-${Math.random().toString(36).slice(2, 8)}@example.com`,
    firstName: 'Ada',
    lastName: `Lovelace${n}`,
    ...extra,
  };
}

/** Adds contacts; answers the campaign-contact ids in input order. */
export async function addContacts(
  world: SyncWorld,
  team: SyncTeam,
  campaignId: string,
  contacts: ContactFields[],
): Promise<string[]> {
  const payload = await ok<{ campaignContacts: { id: string }[] }>(
    world,
    team.adminToken,
    `mutation($id: ID!, $contacts: [ContactInput!]!) { addContactsToCampaign(campaignId: $id, contacts: $contacts) { __typename ... on AddContactsToCampaignPayload { campaignContacts { id } } ... on Error { message } } }`,
    { id: campaignId, contacts },
    'addContactsToCampaign',
  );
  return payload.campaignContacts.map((c) => c.id);
}

export async function recordReply(
  world: SyncWorld,
  team: SyncTeam,
  ccId: string,
  interested: boolean,
  eventId?: string,
) {
  return ok<Loose>(
    world,
    team.memberToken,
    `mutation($id: ID!, $interested: Boolean, $eventId: String) { recordReply(campaignContactId: $id, interested: $interested, eventId: $eventId) { __typename ... on CampaignContact { id stage syncStatus } ... on Error { message } } }`,
    { id: ccId, interested, eventId: eventId ?? null },
    'recordReply',
  );
}

export async function recordActivity(world: SyncWorld, team: SyncTeam, ccId: string, input: Loose) {
  return ok<Loose>(
    world,
    team.memberToken,
    `mutation($id: ID!, $input: ActivityInput!) { recordActivity(campaignContactId: $id, input: $input) { __typename ... on CampaignContact { id } ... on Error { message } } }`,
    { id: ccId, input: { occurredAt: new Date().toISOString(), channel: 'EMAIL', ...input } },
    'recordActivity',
  );
}

export interface CampaignContactState {
  id: string;
  stage: string;
  syncStatus: string;
  lastSyncError: string | null;
  missingMandatoryFields: string[];
  pinpointCandidateId: string | null;
  pinpointApplicationId: string | null;
  contact: { id: string; email: string };
}

export async function readContact(
  world: SyncWorld,
  team: SyncTeam,
  ccId: string,
): Promise<CampaignContactState> {
  const res = await world.t.gql<{ node: CampaignContactState }>(
    `query($id: ID!) { node(id: $id) { ... on CampaignContact { id stage syncStatus lastSyncError missingMandatoryFields pinpointCandidateId pinpointApplicationId contact { id email } } } }`,
    { id: ccId },
    team.adminToken,
  );
  if (!res.data?.node) throw new Error(`no campaign contact ${ccId}: ${JSON.stringify(res.body)}`);
  return res.data.node;
}

/** Polls until the contact reaches `status` (and the queue for it is idle), or fails with its state. */
export async function waitForStatus(
  world: SyncWorld,
  team: SyncTeam,
  ccId: string,
  status: string | ((s: CampaignContactState) => boolean),
  timeoutMs = 8000,
): Promise<CampaignContactState> {
  const deadline = Date.now() + timeoutMs;
  let last: CampaignContactState | null = null;
  while (Date.now() < deadline) {
    const read = await readContact(world, team, ccId).catch((error: unknown) => {
      // A retryable answer (the database briefly unreachable) means "ask again", as a client would.
      if (error instanceof Error && error.message.includes('"retryable":true')) return null;
      throw error;
    });
    if (!read) {
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    last = read;
    const reached = typeof status === 'string' ? last.syncStatus === status : status(last);
    if (reached) return last;
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error(`timed out waiting; last state ${JSON.stringify(last)}`);
}

/** Waits until the team has no queued or running job (the engine has settled). */
export async function waitForIdle(world: SyncWorld, team: SyncTeam, timeoutMs = 10_000): Promise<void> {
  const { syncJobsTable } = await import('../../src/db/schema.js');
  const { and, eq, inArray } = await import('drizzle-orm');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const rows = await world.t.database.db
      .select({ id: syncJobsTable.id })
      .from(syncJobsTable)
      .where(
        and(eq(syncJobsTable.teamId, team.teamId), inArray(syncJobsTable.status, ['QUEUED', 'RUNNING'])),
      );
    if (rows.length === 0) return;
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error('the sync queue did not settle in time');
}

export function applicationsFor(world: SyncWorld, team: SyncTeam, email?: string) {
  return world.sim.store
    .listApplications(team.company.domain)
    .filter(
      (a) => email === undefined || String(a.attributes.email ?? '').toLowerCase() === email.toLowerCase(),
    );
}

export { expect };
