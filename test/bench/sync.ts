// Benchmark: the sync engine against the local simulator (in a process of its own; real HTTP both
// ways), on embedded PGlite (or BENCH_DATABASE_URL). (a) Throughput of 1,000 pushes with 20 ms added
// per Pinpoint request, against the latency-bound limit; (b) what a recruiter waits from recordReply
// to SYNCED, idle queue.
// Run: node --import tsx test/bench/sync.ts [jobs] [replies] (0 replies skips (b)); BENCH_RUNS picks
// throughput runs (4/4, 16/16, rate). Prints the SQL statements and transactions per job and the
// load average with each throughput run.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { Writable } from 'node:stream';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { createTeam } from '../../src/app/teams.js';
import { databaseTargetFromUrl, loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { syncJobsTable } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { createExecutor } from '../../src/sync/executor.js';
import { createRequestGate, rowsOf } from '../../src/sync/rate-limit.js';
import { wsClient } from '../helpers/subscriptions.js';
import { spawnHelper } from './support/ipc.js';

const JOBS = Number(process.argv[2] ?? 1_000);
const REPLIES = Number(process.argv[3] ?? 60);
/** At 20 requests/s a push (2 requests) costs 100 ms of budget: fewer jobs show the same bound. */
const RATE_BOUND_JOBS = Math.min(JOBS, 200);
const LATENCY_MS = 20;
const BATCH = 500; // addContactsToCampaign's limit per call

/** Statements and explicit transactions the product ran (the bench's own polling is marked and left out). */
const BENCH_TAG = '/* bench */';
const counted = { statements: 0, transactions: 0 };
// Pinpoint is remote in production: the simulator runs in a process of its own, so this process's
// CPU (reported with each run) is the product's: server, workers and their database client.
const simProcess = spawnHelper('test/bench/support/simulator-process.ts');
const sim = await simProcess.event<{ url: string; baseUrlTemplate: string }>('ready');
/** The simulator's request log of a company from `from` on (method, path, when answered). */
const requestsOf = (domain: string, from: number) =>
  simProcess.call<{ method: string; path: string; at: string }[]>('requests', { domain, from });
const requestCount = (domain: string) => simProcess.call<number>('requestCount', { domain });
const setLatency = (domain: string, latencyMs: number) =>
  simProcess.call('setFaults', { domain, faults: { latencyMs } });
const database = await openDatabase(
  process.env.BENCH_DATABASE_URL
    ? databaseTargetFromUrl(process.env.BENCH_DATABASE_URL, '.data')
    : { kind: 'pglite', dataDir: null },
  { onQuery: (query) => void (query.startsWith(BENCH_TAG) || counted.statements++) },
);
await migrateDatabase(database);
const db = database.db;
// Every explicit transaction adds two round trips (BEGIN, COMMIT) that drizzle does not log.
const transaction = db.transaction.bind(db);
db.transaction = ((...args: Parameters<typeof transaction>) => {
  counted.transactions++;
  return transaction(...args);
}) as typeof db.transaction;
const logger = createLogger('warn', new Writable({ write: (_c, _e, cb) => cb() }));
const ENCRYPTION_KEY = randomBytes(32).toString('base64');

interface Scenario {
  readonly label: string;
  readonly workerConcurrency: number;
  readonly maxConcurrency: number;
  /** Undefined: the production default (20). */
  readonly requestsPerSecond?: number;
}

/** A server running the real workers with production settings but for the scenario's knobs. */
async function startBenchServer(scenario: Scenario): Promise<{ server: RunningServer; teams: string[] }> {
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    PINPOINT_BASE_URL: sim.baseUrlTemplate,
    DATA_DIR: '/tmp/bench-sync',
    ENCRYPTION_KEY,
    WORKER_CONCURRENCY: String(scenario.workerConcurrency),
    PINPOINT_MAX_CONCURRENCY: String(scenario.maxConcurrency),
    ...(scenario.requestsPerSecond
      ? { PINPOINT_REQUESTS_PER_SECOND: String(scenario.requestsPerSecond) }
      : {}),
  });
  const teams: string[] = [];
  const server = await startServer({
    config,
    database,
    logger,
    workers: {
      executor: (services) =>
        createExecutor(services, {
          gate: createRequestGate(database.db, { requestsPerSecond: config.sync.requestsPerSecond }),
        }),
      onlyTeams: teams,
    },
  });
  return { server, teams };
}

async function gql<T>(server: RunningServer, token: string, query: string, variables: object): Promise<T> {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown };
  if (body.errors || !body.data) throw new Error(JSON.stringify(body));
  return body.data;
}

interface BenchTeam {
  readonly teamId: string;
  readonly token: string;
  readonly domain: string;
  readonly apiKey: string;
  readonly campaignId: string;
}

/** A team connected to a fresh simulator company, a campaign tagged with its job, and the trigger. */
async function setup(
  server: RunningServer,
  teams: string[],
  trigger: 'ADDED_TO_CAMPAIGN' | 'INTERESTED',
): Promise<BenchTeam> {
  const suffix = randomBytes(4).toString('hex');
  const { teamId, token } = await createTeam(db, {
    name: 'Bench',
    adminEmail: `bench-${suffix}@example.com`,
  });
  teams.push(teamId);
  const domain = `bench${suffix}`;
  const apiKey = `pp_${randomBytes(16).toString('hex')}`;
  const company = await simProcess.call<{ jobIds: string[] }>('createCompany', {
    domain,
    apiKeys: [{ key: apiKey }],
    jobs: [{ title: 'Backend Engineer', stages: ['Applied', 'Sourced'] }],
  });
  const activated = await gql<{ activatePinpoint: { __typename: string } }>(
    server,
    token,
    `mutation($input: ActivatePinpointInput!) { activatePinpoint(input: $input) { __typename } }`,
    { input: { apiKey, domain } },
  );
  if (activated.activatePinpoint.__typename !== 'Integration') throw new Error('activation failed');
  await gql(
    server,
    token,
    `mutation($input: TeamSettingsInput!) { updateTeamSettings(input: $input) { __typename } }`,
    { input: { addApplicationWhen: trigger } },
  );
  const created = await gql<{ createCampaign: { id?: string } }>(
    server,
    token,
    `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { ... on Campaign { id } } }`,
    {
      input: {
        name: 'Bench',
        channel: 'EMAIL',
        syncAs: 'APPLICATION',
        fieldValues: [{ field: 'job', value: company.jobIds[0]! }],
      },
    },
  );
  if (!created.createCampaign.id) throw new Error('createCampaign failed');
  return { teamId, token, domain, apiKey, campaignId: created.createCampaign.id };
}

async function addContacts(server: RunningServer, team: BenchTeam, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += BATCH) {
    const contacts = Array.from({ length: Math.min(BATCH, count - i) }, (_, k) => ({
      email: `p${i + k}-${randomBytes(3).toString('hex')}@example.com`,
      firstName: 'Ada',
      lastName: `Lovelace${i + k}`,
    }));
    const data = await gql<{ addContactsToCampaign: { campaignContacts?: { id: string }[] } }>(
      server,
      team.token,
      `mutation($id: ID!, $contacts: [ContactInput!]!) { addContactsToCampaign(campaignId: $id, contacts: $contacts) { ... on AddContactsToCampaignPayload { campaignContacts { id } } } }`,
      { id: team.campaignId, contacts },
    );
    ids.push(...(data.addContactsToCampaign.campaignContacts ?? []).map((c) => c.id));
  }
  return ids;
}

async function countByStatus(teamId: string): Promise<Record<string, number>> {
  const rows = rowsOf<{ status: string; n: number | string }>(
    await db.execute(sql`${sql.raw(BENCH_TAG)}
      select sync_status as status, count(*) as n from campaign_contacts
       where team_id = ${teamId} group by sync_status`),
  );
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/**
 * Until every contact is SYNCED. While the pushes run, the bench asks the simulator (another
 * process) how many applications exist, and the database only every second (for a stuck job) and
 * at the end: on PGlite the product's one database thread would otherwise also serve the bench's
 * polling (a grouped count 50 times a second).
 */
async function waitForSynced(team: BenchTeam, jobs: number): Promise<void> {
  let checked = performance.now();
  for (;;) {
    const pushed = await simProcess.call<number>('applicationCount', { domain: team.domain });
    const now = performance.now();
    if (pushed >= jobs || now - checked >= 1_000) {
      checked = now;
      const counts = await countByStatus(team.teamId);
      if ((counts.SYNCED ?? 0) === jobs) return;
      const stuck = (counts.FAILED ?? 0) + (counts.BLOCKED ?? 0) + (counts.SKIPPED ?? 0);
      if (stuck > 0) throw new Error(`unexpected statuses: ${JSON.stringify(counts)}`);
    }
    await new Promise((r) => setTimeout(r, pushed >= jobs ? 5 : 20));
  }
}

async function waitForIdle(teamId: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const busy = await db
      .select({ id: syncJobsTable.id })
      .from(syncJobsTable)
      .where(and(eq(syncJobsTable.teamId, teamId), inArray(syncJobsTable.status, ['QUEUED', 'RUNNING'])))
      .limit(1);
    if (busy.length === 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the queue did not settle');
}

/** Median time of one Pinpoint request from Node at the given added latency, beyond that latency. */
async function requestOverheadMs({ domain, apiKey }: BenchTeam, latencyMs: number): Promise<number> {
  await setLatency(domain, latencyMs);
  const times: number[] = [];
  for (let i = 0; i < 60; i++) {
    const started = performance.now();
    const res = await fetch(`${sim.url}/${domain}/api/v1/candidates?filter[email]=nobody@example.com`, {
      headers: { 'x-api-key': apiKey, accept: 'application/vnd.api+json' },
    });
    await res.arrayBuffer();
    if (i >= 10) times.push(performance.now() - started - latencyMs);
  }
  return pct(times, 50);
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const ms = (n: number) => `${n.toFixed(1)} ms`;

/** "GET /candidates", "POST /applications"…: a request log entry without its ids. */
const shape = (e: { method: string; path: string }) =>
  `${e.method} ${e.path.replace(/\/[0-9a-f-]{6,}(?=\/|$)/gi, '/:id')}`;

/** "GET /candidates ×1.00, POST /applications ×1.00": requests of each shape per unit of work. */
function mixOf(shapes: readonly string[], per: number): string {
  const counts = new Map<string, number>();
  for (const k of shapes) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ×${(n / per).toFixed(2)}`)
    .join(', ');
}

interface ThroughputResult {
  readonly scenario: Scenario;
  readonly jobs: number;
  readonly seconds: number;
  readonly addSeconds: number;
  readonly jobsPerSecond: number;
  readonly requestsPerJob: number;
  readonly mix: string;
  readonly overheadMs: number;
  /** Statements per job (SQL drizzle ran: enqueue, claim, execute, record), and explicit transactions. */
  readonly statementsPerJob: number;
  readonly transactionsPerJob: number;
  /** CPU this process used over the run (server and workers; the simulator has its own), ÷ wall time. */
  readonly cpuShare: number;
}

async function throughput(scenario: Scenario, jobs: number): Promise<ThroughputResult> {
  const { server, teams } = await startBenchServer(scenario);
  try {
    const team = await setup(server, teams, 'ADDED_TO_CAMPAIGN');
    const overheadMs = await requestOverheadMs(team, LATENCY_MS);
    const logStart = await requestCount(team.domain);
    const before = { ...counted };
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await addContacts(server, team, jobs);
    const addSeconds = (performance.now() - started) / 1000;
    await waitForSynced(team, jobs);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const statementsPerJob = (counted.statements - before.statements) / jobs;
    const transactionsPerJob = (counted.transactions - before.transactions) / jobs;
    const counters = await simProcess.call<{ duplicateApplications: number }>('counters', {
      domain: team.domain,
    });
    const applications = await simProcess.call<number>('applicationCount', { domain: team.domain });
    if (applications !== jobs || counters.duplicateApplications !== 0) {
      throw new Error(`expected ${jobs} applications, got ${JSON.stringify(counters)}`);
    }
    const requests = await requestsOf(team.domain, logStart);
    const mix = mixOf(requests.map(shape), jobs);
    return {
      scenario,
      jobs,
      seconds,
      addSeconds,
      jobsPerSecond: jobs / seconds,
      requestsPerJob: requests.length / jobs,
      mix,
      overheadMs,
      statementsPerJob,
      transactionsPerJob,
      cpuShare: (cpu.user + cpu.system) / 1e6 / seconds,
    };
  } finally {
    await server.stop();
  }
}

interface WaitResult {
  readonly latencyMs: number;
  readonly waits: number[];
  readonly mutation: number[];
  /** From recordReply returning to the job's first Pinpoint request arriving (NOTIFY → claim → load). */
  readonly pickups: number[];
  readonly requests: string[];
}

/** recordReply(interested) one contact at a time; the wait ends when the subscription says SYNCED. */
async function recruiterWait(scenario: Scenario, latencyMs: number): Promise<WaitResult> {
  const { server, teams } = await startBenchServer(scenario);
  try {
    const team = await setup(server, teams, 'INTERESTED');
    await setLatency(team.domain, latencyMs);
    const ccIds = await addContacts(server, team, REPLIES + 5);
    await waitForIdle(team.teamId);
    const synced = new Map<string, number>();
    const waiters = new Map<string, () => void>();
    const authed = wsClient(`${server.url.replace(/^http/, 'ws')}/graphql`, team.token);
    let ready!: () => void;
    const subscribed = new Promise<void>((resolve) => {
      ready = resolve;
    });
    const dispose = authed.subscribe<{
      syncEvents: { status: string | null; campaignContact: { id: string } | null };
    }>(
      {
        query: `subscription($id: ID) { syncEvents(campaignId: $id) { status campaignContact { id } } }`,
        variables: { id: team.campaignId },
      },
      {
        next: (message) => {
          const at = performance.now();
          const event = message.data?.syncEvents;
          const id = event?.campaignContact?.id;
          if (event?.status !== 'SYNCED' || !id || synced.has(id)) return;
          synced.set(id, at);
          waiters.get(id)?.();
        },
        error: (error) => console.error('subscription error', error),
        complete: () => {},
      },
    );
    // The server's LISTEN starts with the subscription; give it a moment, then warm up the executor.
    authed.on('connected', () => setTimeout(ready, 300));
    const replyQuery = `mutation($id: ID!) { recordReply(campaignContactId: $id, interested: true) { __typename } }`;
    const reply = async (id: string) => {
      const seen = new Promise<void>((resolve) => {
        if (synced.has(id)) resolve();
        waiters.set(id, resolve);
      });
      const logStart = await requestCount(team.domain);
      const started = performance.now();
      await gql(server, team.token, replyQuery, { id });
      const returned = performance.now();
      await Promise.race([
        seen,
        new Promise((_, reject) => setTimeout(() => reject(new Error(`no SYNCED for ${id}`)), 30_000)),
      ]);
      const requests = await requestsOf(team.domain, logStart);
      // Logged once answered: its arrival is `latencyMs` earlier (ms resolution, wall clock).
      const firstArrival = Date.parse(requests[0]?.at ?? '') - latencyMs;
      const result = {
        mutation: returned - started,
        wait: Math.max(0, synced.get(id)! - returned),
        // Negative: the worker had the job before the mutation's answer reached the client.
        pickup: firstArrival - (performance.timeOrigin + returned),
      };
      // Idle again before the next reply: the job's notes written, the rate limiter's slots past.
      await waitForIdle(team.teamId);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return result;
    };
    await subscribed;
    for (const id of ccIds.slice(0, 5)) await reply(id);
    const waits: number[] = [];
    const mutation: number[] = [];
    const pickups: number[] = [];
    const logBefore = await requestCount(team.domain);
    for (const id of ccIds.slice(5)) {
      const r = await reply(id);
      waits.push(r.wait);
      mutation.push(r.mutation);
      pickups.push(r.pickup);
    }
    dispose();
    await authed.dispose();
    const requests = (await requestsOf(team.domain, logBefore)).map(shape);
    return { latencyMs, waits, mutation, pickups, requests };
  } finally {
    await server.stop();
  }
}

const DEFAULTS: Scenario = { label: 'production defaults', workerConcurrency: 4, maxConcurrency: 4 };
const UNBOUND = 10_000;
const WAIT_SCENARIOS: readonly (readonly [Scenario, number])[] = [
  [DEFAULTS, 0],
  [DEFAULTS, LATENCY_MS],
  [{ ...DEFAULTS, requestsPerSecond: UNBOUND }, 0],
  [{ ...DEFAULTS, requestsPerSecond: UNBOUND }, LATENCY_MS],
];

console.log(
  `Sync engine against the simulator (${database.driver}; ${JOBS} pushes, +${LATENCY_MS} ms per Pinpoint request)`,
);
console.log('');
console.log('(a) throughput');
const runs: ThroughputResult[] = [];
const THROUGHPUT_RUNS = {
  '4/4': [
    { ...DEFAULTS, label: 'concurrency 4/4 (default), rate unbound', requestsPerSecond: UNBOUND },
    JOBS,
  ],
  '16/16': [
    {
      label: 'concurrency 16/16, rate unbound',
      workerConcurrency: 16,
      maxConcurrency: 16,
      requestsPerSecond: UNBOUND,
    },
    JOBS,
  ],
  rate: [{ ...DEFAULTS, label: 'all defaults (4/4, 20 requests/s)' }, RATE_BOUND_JOBS],
} as const satisfies Record<string, readonly [Scenario, number]>;
// BENCH_RUNS=4/4,16/16 runs only those (e.g. to profile one).
const selected = process.env.BENCH_RUNS?.split(',') ?? Object.keys(THROUGHPUT_RUNS);
for (const [scenario, jobs] of Object.entries(THROUGHPUT_RUNS)
  .filter(([key]) => selected.includes(key))
  .map(([, run]) => run)) {
  const r = await throughput(scenario, jobs);
  runs.push(r);
  const concurrency = Math.min(scenario.workerConcurrency, scenario.maxConcurrency);
  const pinpointMsPerJob = r.requestsPerJob * (LATENCY_MS + r.overheadMs);
  const latencyLimit = (concurrency * 1000) / pinpointMsPerJob;
  const rateLimit = (scenario.requestsPerSecond ?? 20) / r.requestsPerJob;
  const limit = Math.min(latencyLimit, rateLimit);
  console.log(
    `  ${scenario.label}: ${r.jobs} jobs in ${r.seconds.toFixed(2)} s (adding took ${r.addSeconds.toFixed(2)} s; load average ${loadavg()[0]!.toFixed(2)})`,
  );
  console.log(`    jobs/s                 ${r.jobsPerSecond.toFixed(1)}`);
  console.log(`    requests per job       ${r.requestsPerJob.toFixed(2)}  (${r.mix})`);
  console.log(
    `    SQL per job            ${r.statementsPerJob.toFixed(1)} statements, ${r.transactionsPerJob.toFixed(1)} transactions (each +2 round trips)`,
  );
  console.log(
    `    Pinpoint time per job  ${ms(pinpointMsPerJob)}  (${r.requestsPerJob.toFixed(2)} × (${LATENCY_MS} ms + ${ms(r.overheadMs)} per-request overhead))`,
  );
  console.log(
    `    latency-bound limit    ${latencyLimit.toFixed(1)} jobs/s  (${concurrency} ÷ ${ms(pinpointMsPerJob)})`,
  );
  if (scenario.requestsPerSecond === undefined) {
    console.log(
      `    rate-bound limit       ${rateLimit.toFixed(1)} jobs/s  (20 requests/s ÷ ${r.requestsPerJob.toFixed(2)} requests per job)`,
    );
  }
  console.log(
    `    process CPU            ${(100 * r.cpuShare).toFixed(0)}% of one core (server and workers; the simulator runs in its own process)`,
  );
  console.log(`    share of the limit     ${((100 * r.jobsPerSecond) / limit).toFixed(0)}%`);
}

console.log('');
// `0` replies skips (b).
const waitScenarios = REPLIES > 0 ? WAIT_SCENARIOS : [];
if (waitScenarios.length > 0)
  console.log(
    `(b) recruiter wait, recordReply(interested) returned → SYNCED on the subscription (${REPLIES} contacts, idle queue)`,
  );
for (const [scenario, latencyMs] of waitScenarios) {
  const r = await recruiterWait(scenario, latencyMs);
  const rate = scenario.requestsPerSecond ? 'rate unbound' : '20 requests/s (default)';
  console.log(
    `  +${String(latencyMs).padStart(2)} ms, ${rate.padEnd(23)}  wait p50 ${ms(pct(r.waits, 50))}  p99 ${ms(pct(r.waits, 99))}  max ${ms(Math.max(...r.waits))}`,
  );
  console.log(
    `      pickup (reply returned → first Pinpoint request) p50 ${ms(pct(r.pickups, 50))}; ${mixOf(r.requests, r.waits.length)} per reply; recordReply itself p50 ${ms(pct(r.mutation, 50))}`,
  );
}

await database.close();
await simProcess.call('close');
await simProcess.exited();
