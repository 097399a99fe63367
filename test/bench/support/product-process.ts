// The product as its own process for the benchmarks: what `npm start` does (config from the
// environment, open + migrate, startServer with the workers), plus a count of every SQL statement
// drizzle runs and a few commands over IPC (create a team, stats, sync counts, stop).
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { createTeam } from '../../../src/app/teams.js';
import { loadConfig } from '../../../src/config.js';
import { openDatabase } from '../../../src/db/client.js';
import { migrateDatabase } from '../../../src/db/migrate.js';
import { createLogger } from '../../../src/logger.js';
import { startServer } from '../../../src/server.js';
import { rowsOf } from '../../../src/sync/rate-limit.js';
import { notify, serveIpc } from './ipc.js';

const config = loadConfig(process.env);
const logger = createLogger(config.logLevel);
let statements = 0;
const database = await openDatabase(config.database, { onQuery: () => statements++ });
await migrateDatabase(database);
/** Workers claim only the teams this benchmark created (a shared database may hold old jobs). */
const teams: string[] = [];
const executor =
  config.workerConcurrency > 0 ? (await import('../../../src/sync/executor.js')).createGatedExecutor : null;
const server = await startServer({
  config,
  database,
  logger,
  ...(executor ? { workers: { executor, onlyTeams: teams } } : {}),
});
// performance.now() counts from this process's start: spawn → ready, minus the fork itself.
notify('ready', { url: server.url, readyMs: performance.now(), driver: database.driver });

const gc = (globalThis as { gc?: () => void }).gc;

serveIpc({
  async createTeam() {
    const suffix = randomBytes(4).toString('hex');
    const team = await createTeam(database.db, { name: 'Bench', adminEmail: `bench-${suffix}@example.com` });
    teams.push(team.teamId);
    return { teamId: team.teamId, token: team.token };
  },
  stats(args) {
    if ((args as { gc?: boolean } | null)?.gc && gc) {
      gc();
      gc();
    }
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    return { statements, rss: memory.rss, heapUsed: memory.heapUsed, cpuMs: (cpu.user + cpu.system) / 1000 };
  },
  /** Contacts of one campaign (raw uuid) by sync status. */
  async syncCounts(args) {
    const campaignId = args as string;
    const rows = rowsOf<{ status: string; n: number | string }>(
      await database.db.execute(sql`
        select sync_status as status, count(*) as n from campaign_contacts
         where campaign_id = ${campaignId} group by sync_status`),
    );
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  },
  async stop() {
    setImmediate(async () => {
      await server.stop();
      await database.close();
      process.exit(0); // --cpu-prof writes its profile on a normal exit
    });
    return true;
  },
});
