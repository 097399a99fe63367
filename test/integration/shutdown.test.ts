// Stops always end: SIGTERM ends the real server process within SHUTDOWN_TIMEOUT_MS whether its
// stdout reader stalls, goes away, or goes away after a stall (pino's default sink used to hang the
// exit forever), and 20 requests in flight at SIGTERM (on PGlite, or PostgreSQL with
// TEST_DATABASE_URL) still complete.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTeam } from '../../src/app/teams.js';
import { openTestDatabase } from '../helpers/server.js';
import { freePort, spawnServer } from '../helpers/server-process.js';

const SHUTDOWN_TIMEOUT_MS = 3_000;
const dirs: string[] = [];
let running: FifoServer | undefined;
let stopLater: (() => Promise<unknown>) | undefined;

afterEach(async () => {
  running?.kill();
  running = undefined;
  await stopLater?.();
  stopLater = undefined;
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

/** Resolves true when a TCP connection to the port is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/** Room for 20 answers on a loaded machine; an exit past it is code 1, and the test fails. */
const DRAIN_TIMEOUT_MS = 15_000;

// Requests in flight at SIGTERM: 20 clients have sent their headers and half their body when the
// signal comes; the server stops accepting at once, yet every one of them gets its full answer.
describe('SIGTERM with 20 requests in flight', { timeout: 180_000 }, () => {
  const IN_FLIGHT = 20;
  const QUERY = JSON.stringify({ query: '{ viewer { team { name } user { email role } } }' });

  /** A POST /graphql whose body arrives in two halves: the second only when `finish()` is called. */
  function halfSent(port: number, token: string) {
    const body = Buffer.from(QUERY);
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/graphql',
      agent: false,
      headers: {
        'content-type': 'application/json',
        'content-length': body.length,
        authorization: `Bearer ${token}`,
      },
    });
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.once('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.once('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.once('error', reject);
      });
      req.once('error', reject);
    });
    req.flushHeaders();
    req.write(body.subarray(0, body.length >> 1));
    return { answer, finish: () => req.end(body.subarray(body.length >> 1)) };
  }

  it('answers all 20 in full, refuses new connections meanwhile, and exits 0 within DRAIN_TIMEOUT_MS', async () => {
    const url = process.env.TEST_DATABASE_URL;
    const port = await freePort();
    let token = '';
    if (url) {
      const database = await openTestDatabase();
      try {
        ({ token } = await createTeam(database.db, { name: 'Demo team', adminEmail: 'drain@example.com' }));
      } finally {
        await database.close();
      }
    }
    const server = spawnServer({
      PORT: String(port),
      DATABASE_URL: url ?? 'memory://',
      SEED_DEMO_TEAM: url ? 'false' : 'true',
      WORKER_CONCURRENCY: '0',
      LOG_LEVEL: 'info',
      DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS),
    });
    stopLater = () => server.stop('SIGKILL');
    await server.waitFor(/"msg":"server ready"/, 120_000);
    if (!url) token = (await server.waitFor(/"Authorization": "Bearer (ppb_[\w-]+)"/, 5_000))[1] ?? '';

    const requests = Array.from({ length: IN_FLIGHT }, () => halfSent(port, token!));
    // Each request's headers and half its body have reached the server, which now waits for the rest.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const startedAt = performance.now();
    server.child.kill('SIGTERM');
    await server.waitFor(/"msg":"shutting down"/, 10_000);
    // The listener closes a moment after the signal is logged: no new connection from then on.
    let closedWithin = Number.POSITIVE_INFINITY;
    while (performance.now() - startedAt < 3_000) {
      if (await refused(port)) {
        closedWithin = performance.now() - startedAt;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(closedWithin).toBeLessThan(3_000);
    for (const r of requests) r.finish();
    const answers = await Promise.all(requests.map((r) => r.answer));
    const { code } = await server.stop('SIGTERM', 60_000);
    const ms = performance.now() - startedAt;

    expect(answers.map((a) => a.status)).toEqual(Array(IN_FLIGHT).fill(200));
    for (const a of answers) {
      const body = JSON.parse(a.body);
      expect(body.errors).toBeUndefined();
      expect(body.data).toEqual({
        viewer: { team: { name: 'Demo team' }, user: { email: expect.any(String), role: 'ADMIN' } },
      });
    }
    expect(code).toBe(0);
    expect(ms).toBeLessThan(DRAIN_TIMEOUT_MS);
  });
});
