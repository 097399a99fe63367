// `npm start` as a real process (node --import tsx src/server.ts): wait for its output, stop it with a
// signal, and pick a free port for it. Used by the startup tests and the startup benchmark.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

export interface ServerProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects on timeout or early exit. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` and resolves with the exit code once the process is gone. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null; ms: number }>;
}

/** A port that was free a moment ago (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Why a process with this environment must not run on the test run's shared PostgreSQL database
 * (null: it may). Workers for every team there would claim other test files' jobs, and pause them
 * (their teams have no key), so those files' jobs never finish: a spawned server on that database
 * runs no workers (WORKER_CONCURRENCY=0) or only its own teams' (WORKER_ONLY_TEAMS).
 */
export function sharedDatabaseWorkersProblem(
  env: Record<string, string>,
  sharedUrl: string | undefined = process.env.TEST_DATABASE_URL,
): string | null {
  if (!sharedUrl || !env.DATABASE_URL?.startsWith(sharedUrl)) return null;
  if (env.WORKER_CONCURRENCY === '0' || env.WORKER_ONLY_TEAMS?.trim()) return null;
  return 'a server spawned on the shared test database must set WORKER_CONCURRENCY=0 or WORKER_ONLY_TEAMS: its workers would run (and pause) other test files’ jobs';
}

/** Spawned processes still running: killed when the test process exits, whatever its hooks did. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** `entry` in TypeScript runs under tsx; a built one (`dist/server.js`) runs as `npm start` runs it. */
export function spawnServer(env: Record<string, string>, entry = 'src/server.ts'): ServerProcess {
  const problem = sharedDatabaseWorkersProblem(env);
  if (problem) throw new Error(problem);
  const args = entry.endsWith('.ts') ? ['--import', 'tsx', entry] : ['--enable-source-maps', entry];
  const child = spawn(process.execPath, args, {
    // A clean environment: nothing from the test run (TEST_DATABASE_URL, NODE_ENV) leaks in.
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let text = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      for (const listener of listeners) listener();
      resolve(code);
    });
  });

  return {
    child,
    output: () => text,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = text.match(pattern);
          if (match) {
            done();
            resolve(match);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(
              new Error(`server exited (${child.exitCode ?? child.signalCode}) before ${pattern}:\n${text}`),
            );
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${text}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM', timeoutMs = 10_000) {
      const startedAt = performance.now();
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return { code, ms: performance.now() - startedAt };
    },
  };
}
