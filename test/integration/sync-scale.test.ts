// Two workers on 1,000 jobs: every contact becomes exactly one application, none lost, none twice.
// On PGlite both workers share the test's process and database; with TEST_DATABASE_URL they are two
// `npm run worker` processes, kept to this file's team by WORKER_ONLY_TEAMS.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignContactsTable, contactsTable, syncJobsTable } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { createExecutor } from '../../src/sync/executor.js';
import { createRequestGate } from '../../src/sync/rate-limit.js';
import { startWorkers, type Workers } from '../../src/sync/worker.js';
import { startSimulator } from '../helpers/pinpoint.js';
import { TestServer, usingPostgres } from '../helpers/server.js';
import {
  addContacts,
  createCampaign,
  FAST_SYNC_ENV,
  person,
  type SyncWorld,
  setupTeam,
  waitForIdle,
} from '../helpers/sync.js';

const JOBS = 1_000;
const BATCH = 500; // addContactsToCampaign's limit per call

/** Both sides must open the integration's sealed API key: one explicit key, no dev key file. */
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const dataDir = mkdtempSync(path.join(tmpdir(), 'sync-scale-'));

interface WorkerProcess {
  readonly child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** `npm run worker` as a child process against TEST_DATABASE_URL, claiming only `teamIds`' jobs. */
function spawnWorker(world: SyncWorld, teamIds: readonly string[]): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    // A clean environment: nothing of the test run leaks in but what is named here.
    env: {
      PATH: process.env.PATH ?? '',
      ...FAST_SYNC_ENV,
      NODE_ENV: 'test',
      LOG_LEVEL: 'debug', // "sync job finished" lines say which worker ran each job
      DATABASE_URL: process.env.TEST_DATABASE_URL ?? '',
      DATABASE_POOL_MAX: '5',
      PINPOINT_BASE_URL: world.sim.baseUrlTemplate,
      ENCRYPTION_KEY,
      DATA_DIR: dataDir,
      WORKER_ONLY_TEAMS: teamIds.join(','),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    output: () => text,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        const check = () => {
          if (pattern.test(text)) {
            done();
            resolve();
          } else if (!running()) {
            done();
            reject(new Error(`worker exited before ${pattern}:\n${text}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${text}`));
        }, timeoutMs);
        listeners.add(check);
        child.once('exit', check);
        check();
      });
    },
    async stop() {
      if (!running()) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Jobs finished per worker id, read from pino JSON log lines. */
function finishedByWorker(lines: readonly string[], into: Map<string, number>): void {
  for (const chunk of lines) {
    for (const line of chunk.split('\n')) {
      if (!line.includes('"sync job finished"')) continue;
      const { workerId } = JSON.parse(line) as { workerId: string };
      into.set(workerId, (into.get(workerId) ?? 0) + 1);
    }
  }
}

let world: SyncWorld;
let secondWorkers: Workers | null = null;
const secondLogs: string[] = [];
const children: WorkerProcess[] = [];

beforeAll(async () => {
  const sim = await startSimulator();
  // On PostgreSQL the two worker processes do all the work, so the server runs none itself.
  const t = await TestServer.start({
    env: { ...FAST_SYNC_ENV, PINPOINT_BASE_URL: sim.baseUrlTemplate, ENCRYPTION_KEY, DATA_DIR: dataDir },
    workers: !usingPostgres,
  });
  world = {
    sim,
    t,
    async stop() {
      await t.stop();
      await sim.close();
    },
  };
});

afterAll(async () => {
  await Promise.all(children.map((c) => c.stop()));
  await secondWorkers?.stop();
  await world?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('two workers at scale', () => {
  it(`two workers on ${JOBS} jobs create ${JOBS} applications, none duplicated and none lost`, async () => {
    const { t } = world;
    const team = await setupTeam(world, { addApplicationWhen: 'ADDED_TO_CAMPAIGN' });
    const campaignId = await createCampaign(world, team);

    if (usingPostgres) {
      children.push(spawnWorker(world, t.teamIds), spawnWorker(world, t.teamIds));
      await Promise.all(children.map((c) => c.waitFor(/"sync workers ready"/)));
    } else {
      const sink = new Writable({
        write(chunk, _enc, cb) {
          secondLogs.push(String(chunk));
          cb();
        },
      });
      const services = t.server.services;
      secondWorkers = startWorkers({
        database: t.database,
        executor: createExecutor(services, {
          gate: createRequestGate(t.database.db, { requestsPerSecond: t.config.sync.requestsPerSecond }),
        }),
        logger: createLogger('debug', sink),
        concurrency: t.config.workerConcurrency,
        settings: t.config.sync,
        events: services.events,
        workerId: 'second-worker',
        onlyTeams: t.teamIds,
      });
    }

    const people = Array.from({ length: JOBS }, (_, i) => person(i));
    const ccIds: string[] = [];
    for (let i = 0; i < JOBS; i += BATCH) {
      ccIds.push(...(await addContacts(world, team, campaignId, people.slice(i, i + BATCH))));
    }
    expect(ccIds).toHaveLength(JOBS);
    await waitForIdle(world, team, 90_000);

    const { db } = t.database;
    const jobs = await db
      .select({ status: syncJobsTable.status, lastError: syncJobsTable.lastError })
      .from(syncJobsTable)
      .where(eq(syncJobsTable.teamId, team.teamId));
    expect(jobs).toHaveLength(JOBS);
    expect(jobs.filter((j) => j.status !== 'DONE' || j.lastError !== null)).toEqual([]);

    const contacts = await db
      .select({ status: campaignContactsTable.syncStatus, email: contactsTable.email })
      .from(campaignContactsTable)
      .innerJoin(contactsTable, eq(contactsTable.id, campaignContactsTable.contactId))
      .where(eq(campaignContactsTable.teamId, team.teamId));
    expect(contacts).toHaveLength(JOBS);
    expect(contacts.filter((c) => c.status !== 'SYNCED')).toEqual([]);

    const applications = world.sim.store.listApplications(team.company.domain);
    expect(applications).toHaveLength(JOBS);
    const emails = new Set(applications.map((a) => String(a.attributes.email).toLowerCase()));
    expect(emails.size).toBe(JOBS);
    expect(emails).toEqual(new Set(people.map((p) => p.email.toLowerCase())));
    expect(applications.every((a) => a.jobId === team.job.id)).toBe(true);
    const counters = world.sim.store.counters(team.company.domain);
    expect(counters.duplicateApplications).toBe(0);
    expect(counters.applicationsCreated).toBe(JOBS);
    expect(counters.candidatesCreated).toBe(JOBS);

    // Both workers took a share: count each worker's "sync job finished" log lines.
    const perWorker = new Map<string, number>();
    if (usingPostgres) {
      finishedByWorker(
        children.map((c) => c.output()),
        perWorker,
      );
    } else {
      finishedByWorker(t.logs, perWorker);
      finishedByWorker(secondLogs, perWorker);
    }
    expect(perWorker.size).toBe(2);
    expect([...perWorker.values()].reduce((a, b) => a + b, 0)).toBe(JOBS);
    for (const count of perWorker.values()) expect(count).toBeGreaterThan(JOBS / 10);
  }, 180_000);
});
