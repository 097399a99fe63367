// Benchmark: activatePinpoint latency against the local simulator (real HTTP both ways), on
// embedded PGlite (or BENCH_DATABASE_URL). Prints p50/p90/p99 and the share spent in Pinpoint.
// Run: node --import tsx test/bench/activation.ts [runs]
import { Writable } from 'node:stream';
import { createTeam } from '../../src/app/teams.js';
import { databaseTargetFromUrl, loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { createLogger } from '../../src/logger.js';
import { startServer } from '../../src/server.js';
import { startPinpointSimulator } from '../../src/simulator/server.js';

const runs = Number(process.argv[2] ?? 200);
const sim = await startPinpointSimulator({ port: 0 });
const config = loadConfig({
  NODE_ENV: 'test',
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  PINPOINT_BASE_URL: sim.baseUrlTemplate,
  DATA_DIR: '/tmp/bench-activation',
});
const database = await openDatabase(
  process.env.BENCH_DATABASE_URL
    ? databaseTargetFromUrl(process.env.BENCH_DATABASE_URL, '.data')
    : { kind: 'pglite', dataDir: null },
);
await migrateDatabase(database);
const logger = createLogger('warn', new Writable({ write: (_c, _e, cb) => cb() }));
const server = await startServer({ config, database, logger });
const { token } = await createTeam(database.db, { name: 'Bench', adminEmail: 'bench@example.com' });
sim.store.createCompany({
  domain: 'bench',
  apiKeys: [{ key: 'pp_bench_key_1234' }],
  jobs: [{ title: 'Engineer' }],
});

const query = `mutation($input: ActivatePinpointInput!) { activatePinpoint(input: $input) { __typename ... on Integration { status } } }`;
async function activate(): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables: { input: { apiKey: 'pp_bench_key_1234', domain: 'bench' } } }),
  });
  const body = (await res.json()) as { data?: { activatePinpoint?: { status?: string } } };
  if (body.data?.activatePinpoint?.status !== 'CONNECTED')
    throw new Error(`unexpected: ${JSON.stringify(body)}`);
  return performance.now() - started;
}
async function verifyOnly(): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${sim.url}/bench/api/v1/jobs?page[number]=1&page[size]=1`, {
    headers: { 'x-api-key': 'pp_bench_key_1234', accept: 'application/vnd.api+json' },
  });
  await res.arrayBuffer();
  return performance.now() - started;
}

for (let i = 0; i < 10; i++) await activate(); // warm-up
const total: number[] = [];
const pinpoint: number[] = [];
for (let i = 0; i < runs; i++) {
  total.push(await activate());
  pinpoint.push(await verifyOnly());
}
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const fmt = (n: number) => `${n.toFixed(1)} ms`;
console.log(`activatePinpoint against the simulator (${database.driver}, ${runs} runs)`);
console.log(
  `  end to end   p50 ${fmt(pct(total, 50))}  p90 ${fmt(pct(total, 90))}  p99 ${fmt(pct(total, 99))}`,
);
console.log(`  verify call  p50 ${fmt(pct(pinpoint, 50))}  (the simulator's own answer time)`);
console.log(
  `  overhead ratio (end to end ÷ verify call, p50): ${(pct(total, 50) / pct(pinpoint, 50)).toFixed(1)}×`,
);
await server.stop();
await database.close();
await sim.close();
