// One owner per PGlite data directory: with the server running, the CLI (or a second server) on the
// same DATA_DIR fails at once naming the holder, and writes nothing; a lock left by a dead process is
// taken over.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lockPathFor } from '../../src/db/data-dir-lock.js';
import { freePort, type ServerProcess, spawnServer } from '../helpers/server-process.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'bff-lock-'));
const pgliteDir = path.join(dataDir, 'pglite');
const env = {
  PATH: process.env.PATH ?? '',
  DATA_DIR: dataDir,
  SEED_DEMO_TEAM: 'false',
  WORKER_CONCURRENCY: '0',
};
let server: ServerProcess | undefined;

afterAll(async () => {
  await server?.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the PGlite data directory lock', () => {
  it('makes the CLI fail at once, naming the server’s pid, while the server runs', async () => {
    server = spawnServer({ ...env, PORT: String(await freePort()) });
    await server.waitFor(/"msg":"server ready"/, 150_000);
    const run = await cli('create-team', '--name', 'Ghost', '--admin-email', 'ghost@example.com');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`in use by process ${server.child.pid}`);
    expect(run.stderr).toContain('Stop that process first');
  }, 240_000);

  it('makes a second server on the same DATA_DIR refuse to start', async () => {
    const second = spawnServer({ ...env, PORT: String(await freePort()) });
    await second.waitFor(/in use by process \d+/, 150_000);
    const { code } = await second.stop('SIGTERM', 60_000); // already exiting on its own
    expect(code).toBe(1);
    expect(second.output()).toContain(`in use by process ${server!.child.pid}`);
  }, 180_000);

  it('is released when the server stops, and a lock left by a dead process is taken over', async () => {
    const { code } = await server!.stop('SIGTERM', 60_000);
    expect(code).toBe(0);
    const dead = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    writeFileSync(lockPathFor(pgliteDir), JSON.stringify({ pid: Number(dead), command: 'gone' }));
    const run = await cli('create-team', '--name', 'After', '--admin-email', 'after@example.com');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ token: expect.any(String) });
  }, 180_000);
});
