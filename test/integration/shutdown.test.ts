// Stops always end: SIGTERM ends the real server process within SHUTDOWN_TIMEOUT_MS whether its
// stdout reader stalls, goes away, or goes away after a stall (pino's default sink used to hang the
// exit forever), and requests in flight at SIGTERM still complete.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/server-process.js';

const SHUTDOWN_TIMEOUT_MS = 3_000;
const dirs: string[] = [];
let running: FifoServer | undefined;

afterEach(async () => {
  running?.kill();
  running = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface FifoServer {
  readonly child: ChildProcess;
  /** Fills the stdout pipe to the brim with log-shaped lines; nobody reads it from now on. */
  stall(): void;
  /** Closes the only reader: the server's next write meets EPIPE. */
  closeReader(): void;
  /** SIGTERM, then the exit code and how long the exit took. */
  terminate(): Promise<{ code: number | null; ms: number }>;
  kill(): void;
}

/**
 * The real server with stdout on a named pipe (a real pipe, as a log shipper gives it; Node's own
 * `stdio: 'pipe'` is a socket pair), read only until "server ready".
 */
async function start(): Promise<FifoServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bff-stop-'));
  dirs.push(dir);
  const fifo = path.join(dir, 'stdout');
  execFileSync('mkfifo', [fifo]);
  let readFd: number | null = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const writeFd = openSync(fifo, 'w');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      DATA_DIR: dir,
      DATABASE_URL: 'memory://',
      SEED_DEMO_TEAM: 'false',
      WORKER_CONCURRENCY: '0',
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    },
    stdio: ['ignore', writeFd, 'inherit'],
  });
  closeSync(writeFd);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const buffer = Buffer.alloc(65536);
  let text = '';
  while (!text.includes('"msg":"server ready"')) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${text}`);
    try {
      const n = readSync(readFd, buffer);
      text += buffer.toString('utf8', 0, n);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const server: FifoServer = {
    child,
    stall() {
      const line = Buffer.from(`${JSON.stringify({ level: 30, msg: 'filler '.repeat(20) })}\n`);
      const fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      try {
        for (;;) writeSync(fd, line);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      } finally {
        closeSync(fd);
      }
    },
    closeReader() {
      if (readFd !== null) closeSync(readFd);
      readFd = null;
    },
    async terminate() {
      const startedAt = performance.now();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const code = await exited;
      clearTimeout(timer);
      return { code, ms: performance.now() - startedAt };
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      server.closeReader();
    },
  };
  return server;
}

/** Generous for a loaded machine, yet far from "never". */
const EXIT_BOUND_MS = SHUTDOWN_TIMEOUT_MS + 5_000;

describe.skipIf(process.platform !== 'linux')('SIGTERM ends the server process', { timeout: 180_000 }, () => {
  it('ends it with exit code 0 while its stdout pipe is full and nobody reads it', async () => {
    running = await start();
    running.stall();
    const { code, ms } = await running.terminate();
    expect(code).toBe(0);
    expect(ms).toBeLessThan(EXIT_BOUND_MS);
  });

  it('ends it with exit code 0 once its stdout reader has gone away', async () => {
    running = await start();
    running.closeReader();
    const { code, ms } = await running.terminate();
    expect(code).toBe(0);
    expect(ms).toBeLessThan(EXIT_BOUND_MS);
  });

  it('ends it with exit code 0 when its stdout reader goes away after a stall', async () => {
    running = await start();
    running.stall();
    running.closeReader();
    const { code, ms } = await running.terminate();
    expect(code).toBe(0);
    expect(ms).toBeLessThan(EXIT_BOUND_MS);
  });
});
