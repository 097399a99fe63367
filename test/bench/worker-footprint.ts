// Benchmark: `npm run worker` against `npm start` on the same database: time from spawn to ready
// ("sync workers ready" logged / GET /readyz 200) and resident memory after 3 s idle. The worker
// loads neither Apollo nor the schema, so both numbers should be well below the server's.
// Both run compiled from dist/, as `npm start` and `npm run worker` do (build first: `npm run build`).
// Run: BENCH_DATABASE_URL=postgres://… node --import tsx test/bench/worker-footprint.ts [runs]
import { readFileSync } from 'node:fs';
import { freePort, type ServerProcess, spawnServer } from '../helpers/server-process.js';

const runs = Number(process.argv[2] ?? 3);
const databaseUrl = process.env.BENCH_DATABASE_URL;
if (!databaseUrl) {
  console.error('Set BENCH_DATABASE_URL (both processes share one PostgreSQL database).');
  process.exit(1);
}
const env = {
  DATABASE_URL: databaseUrl,
  LOG_LEVEL: 'info',
  ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  WORKER_CONCURRENCY: '2',
};

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  return line ? Number(line[1]) / 1024 : Number.NaN;
}

async function serverReady(proc: ServerProcess, port: number): Promise<void> {
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`server exited early:\n${proc.output()}`);
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (res) => res.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function measure(kind: 'worker' | 'server'): Promise<{ ms: number; rss: number }> {
  const port = await freePort();
  const startedAt = performance.now();
  const proc =
    kind === 'worker'
      ? spawnServer(env, 'dist/worker.js')
      : spawnServer({ ...env, PORT: String(port), WORKER_CONCURRENCY: '0' }, 'dist/server.js');
  try {
    if (kind === 'worker') await proc.waitFor(/sync workers ready/, 120_000);
    else await serverReady(proc, port);
    const ms = performance.now() - startedAt;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    return { ms, rss: rssMb(proc.child.pid ?? 0) };
  } finally {
    await proc.stop('SIGTERM');
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const kind of ['worker', 'server'] as const) {
  const samples: { ms: number; rss: number }[] = [];
  for (let i = 0; i < runs; i++) samples.push(await measure(kind));
  console.log(
    `${kind.padEnd(7)} start→ready median ${(median(samples.map((s) => s.ms)) / 1000).toFixed(2)} s, ` +
      `idle RSS median ${median(samples.map((s) => s.rss)).toFixed(0)} MB  (${samples
        .map((s) => `${Math.round(s.ms)} ms/${s.rss.toFixed(0)} MB`)
        .join(', ')})`,
  );
}
