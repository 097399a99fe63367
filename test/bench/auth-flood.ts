// Benchmark: valid users' latency while other clients flood the server with wrong tokens (issue 11,
// item 5). Two products start in this run, each its own process on its own PGlite directory (or both
// on PostgreSQL with BENCH_DATABASE_URL):
//   reference: AUTH_NEGATIVE_CACHE_TTL_MS=0 and AUTH_FAILURE_LIMIT=0, i.e. every wrong token is a
//              database lookup, as before the throttle;
//   product:   the defaults (unknown hashes remembered, 20 failures per address per minute, then 429).
// For each: valid users' p50/p95 idle, then under a FLOOD_RATE req/s flood of random wrong tokens from
// FLOOD_ADDRESSES other loopback addresses; the ratio flood p95 / idle p95 is the figure (target ≤ 2).
// Run: npm run bench:auth-flood [seconds]   Env: FLOOD_RATE (650), FLOOD_ADDRESSES (20), BENCH_USERS (4),
// BENCH_CPU_PROF_DIR (measure the product only, under node --cpu-prof, its profile written there)
import { type Helper, pct, spawnHelper } from './support/ipc.js';
import { type Product, startProduct } from './support/product.js';

const SECONDS = Number(process.argv[2] ?? process.env.BENCH_SECONDS ?? 10);
const RATE = Number(process.env.FLOOD_RATE ?? 650);
const ADDRESSES = Array.from(
  { length: Number(process.env.FLOOD_ADDRESSES ?? 20) },
  (_, i) => `127.0.0.${i + 2}`,
);
const USERS = Number(process.env.BENCH_USERS ?? 4);
const THINK_MS = 10; // each valid user waits this long between requests (a UI, not a load generator)
const QUERY = JSON.stringify({ query: '{ viewer { user { id email } team { name } } }' });

interface Phase {
  readonly p50: number;
  readonly p95: number;
  readonly requests: number;
  readonly failed: number;
}

/** USERS valid users, each with its own token, looping for `seconds`; latency of every request. */
async function validUsers(url: string, tokens: readonly string[], seconds: number): Promise<Phase> {
  const latencies: number[] = [];
  let failed = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    tokens.map(async (token) => {
      while (performance.now() < until) {
        const started = performance.now();
        const res = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: QUERY,
        });
        const body = (await res.json()) as { errors?: unknown };
        latencies.push(performance.now() - started);
        if (res.status !== 200 || body.errors) failed++;
        await new Promise((resolve) => setTimeout(resolve, THINK_MS));
      }
    }),
  );
  return { p50: pct(latencies, 50), p95: pct(latencies, 95), requests: latencies.length, failed };
}

async function measure(name: string, product: Product, flood: Helper) {
  const tokens: string[] = [];
  for (let i = 0; i < USERS; i++) tokens.push((await product.createTeam()).token);
  await validUsers(product.url, tokens, 2); // warm-up (JIT, caches), unrecorded
  const idle = await validUsers(product.url, tokens, SECONDS);
  const before = await product.stats();
  await flood.call('start', { url: product.url, rate: RATE, addresses: ADDRESSES });
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // the flood reaches its rate
  const flooded = await validUsers(product.url, tokens, SECONDS);
  const floodStatuses = await flood.call<Record<string, number>>('stop');
  const after = await product.stats();
  const statements = after.statements - before.statements;
  // The product's own CPU time over the flood phase, per request it answered (flood and valid users).
  const answered = Number(floodStatuses.sent ?? 0) + flooded.requests;
  const cpuMs = after.cpuMs - before.cpuMs;
  const cpu = { ms: cpuMs, usPerRequest: (cpuMs * 1000) / answered };
  return { name, idle, flooded, floodStatuses, statements, cpu, ratio: flooded.p95 / idle.p95 };
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function main(): Promise<void> {
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  const flood = spawnHelper('test/bench/support/auth-flood-client.ts');
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  const all: { name: string; env: Record<string, string> }[] = [
    {
      name: 'reference (no negative cache, no throttle)',
      env: { AUTH_NEGATIVE_CACHE_TTL_MS: '0', AUTH_FAILURE_LIMIT: '0' },
    },
    { name: 'product (defaults)', env: {} },
  ];
  const targets = profileDir ? all.slice(1) : all;
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const results = [];
  try {
    for (const target of targets) {
      const product = await startProduct({
        ...(databaseUrl ? { databaseUrl } : {}),
        env: target.env,
        nodeArgs,
      });
      try {
        results.push(await measure(target.name, product, flood));
      } finally {
        await product.stop();
      }
    }
  } finally {
    flood.child.kill();
  }
  console.log(
    `\nvalid users: ${USERS} (think ${THINK_MS} ms), ${SECONDS} s per phase; flood ${RATE} req/s of random wrong tokens from ${ADDRESSES.length} addresses; ${databaseUrl ? 'PostgreSQL' : 'PGlite'}\n`,
  );
  for (const r of results) {
    console.log(r.name);
    console.log(
      `  idle:  p50 ${fmt(r.idle.p50)}  p95 ${fmt(r.idle.p95)}  (${r.idle.requests} requests, ${r.idle.failed} failed)`,
    );
    console.log(
      `  flood: p50 ${fmt(r.flooded.p50)}  p95 ${fmt(r.flooded.p95)}  (${r.flooded.requests} requests, ${r.flooded.failed} failed)`,
    );
    console.log(
      `  flood answers: ${JSON.stringify(r.floodStatuses)}; SQL statements during the flood: ${r.statements}`,
    );
    console.log(
      `  product CPU during the flood phase: ${r.cpu.ms.toFixed(0)} ms (${r.cpu.usPerRequest.toFixed(0)} µs per request answered)`,
    );
    console.log(
      `  p95 under flood / idle: ${r.ratio.toFixed(2)}× ${r.name.startsWith('product') ? (r.ratio <= 2 ? '(target ≤ 2×: met)' : '(target ≤ 2×: MISSED)') : ''}`,
    );
  }
}

await main();
