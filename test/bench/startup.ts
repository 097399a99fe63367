// Benchmark: time from spawning the server (what `npm start` runs: the build in dist/, built here
// first) to `GET /readyz` answering 200.
// PGlite cold (empty DATA_DIR: initdb + migrations + first-run seed) and warm (same directory again);
// PostgreSQL too when BENCH_DATABASE_URL is set. Prints min and median per case.
// Run: node --import tsx test/bench/startup.ts [runs]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, spawnServer } from '../helpers/server-process.js';

const runs = Number(process.argv[2] ?? 3);
execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '-s', 'build'], { stdio: 'inherit' });

/** Spawns the server and polls /readyz every 10 ms; resolves with the milliseconds to the first 200. */
async function timeToReady(env: Record<string, string>): Promise<number> {
  const port = await freePort();
  const startedAt = performance.now();
  const server = spawnServer({ ...env, PORT: String(port), LOG_LEVEL: 'warn' }, 'dist/server.js');
  try {
    for (;;) {
      if (server.child.exitCode !== null) throw new Error(`server exited early:\n${server.output()}`);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (res) => res.status === 200,
        () => false,
      );
      if (ok) return performance.now() - startedAt;
      if (performance.now() - startedAt > 120_000)
        throw new Error(`not ready after 120 s:\n${server.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    const { code } = await server.stop('SIGTERM');
    if (code !== 0) console.error(`warning: server exited with ${code} on SIGTERM`);
  }
}

function summary(name: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`.padStart(8);
  return `${name.padEnd(34)} ${fmt(sorted[0]!)} ${fmt(median)}   ${sorted.map((ms) => Math.round(ms)).join(', ')} ms`;
}

const rows: string[] = [];
const cold: number[] = [];
const warm: number[] = [];
for (let i = 0; i < runs; i++) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bff-bench-start-'));
  const env = { DATA_DIR: dataDir, DATABASE_URL: `file:${path.join(dataDir, 'pglite')}` };
  try {
    cold.push(await timeToReady(env));
    warm.push(await timeToReady(env));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
rows.push(summary('PGlite cold (initdb+migrate+seed)', cold));
rows.push(summary('PGlite warm (existing data dir)', warm));

const pgUrl = process.env.BENCH_DATABASE_URL;
if (pgUrl) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bff-bench-start-'));
  const samples: number[] = [];
  try {
    for (let i = 0; i < runs; i++)
      samples.push(await timeToReady({ DATA_DIR: dataDir, DATABASE_URL: pgUrl }));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  rows.push(summary('PostgreSQL (BENCH_DATABASE_URL)', samples));
}

console.log(`spawn → GET /readyz 200, ${runs} runs each\n`);
console.log(`${'case'.padEnd(34)} ${'min'.padStart(8)} ${'median'.padStart(8)}   samples`);
for (const row of rows) console.log(row);
