// Request/response over a child process's IPC channel: the parent calls a named command, the child
// answers with its result (or an error message). Used by every benchmark helper process.
import { type ChildProcess, spawn } from 'node:child_process';

type Handler = (args: unknown) => unknown;

interface Reply {
  readonly id: number;
  readonly result?: unknown;
  readonly error?: string;
}

/** Child side: answers the parent's calls with `handlers`; `notify` sends an unsolicited message. */
export function serveIpc(handlers: Record<string, Handler>): void {
  // The benchmark died (or was interrupted): never outlive it.
  process.on('disconnect', () => process.exit(1));
  process.on('message', async (message: { id: number; cmd: string; args: unknown }) => {
    const handler = handlers[message.cmd];
    try {
      if (!handler) throw new Error(`unknown command ${message.cmd}`);
      process.send?.({ id: message.id, result: (await handler(message.args)) ?? null });
    } catch (error) {
      process.send?.({ id: message.id, error: error instanceof Error ? error.message : String(error) });
    }
  });
}

export function notify(event: string, data: unknown = null): void {
  process.send?.({ event, data });
}

export interface Helper {
  readonly child: ChildProcess;
  /** Everything the child wrote to stdout and stderr. */
  output(): string;
  call<T>(cmd: string, args?: unknown, timeoutMs?: number): Promise<T>;
  /** Resolves with the data of the child's first `event` notification. */
  event<T>(name: string, timeoutMs?: number): Promise<T>;
  /** Waits for the child to exit (SIGKILL after `timeoutMs`). */
  exited(timeoutMs?: number): Promise<number | null>;
}

/** Spawns `node [nodeArgs] --import tsx <script>` (or a compiled script without tsx) with an IPC channel. */
export function spawnHelper(
  script: string,
  options: { env?: Record<string, string>; nodeArgs?: readonly string[]; tsx?: boolean } = {},
): Helper {
  const loader = options.tsx === false ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...loader, script], {
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let text = '';
  child.stdout?.on('data', (c: Buffer) => {
    text += c.toString('utf8');
  });
  child.stderr?.on('data', (c: Buffer) => {
    text += c.toString('utf8');
  });
  let next = 1;
  const pending = new Map<number, (reply: Reply) => void>();
  const events = new Map<string, unknown>();
  const eventWaiters = new Map<string, (data: unknown) => void>();
  child.on('message', (message: Reply & { event?: string; data?: unknown }) => {
    if (message.event) {
      events.set(message.event, message.data);
      eventWaiters.get(message.event)?.(message.data);
      return;
    }
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const failOnExit = (what: string) =>
    exit.then(() => {
      throw new Error(`${script} exited before ${what}:\n${text.slice(-4000)}`);
    });
  return {
    child,
    output: () => text,
    call<T>(cmd: string, args: unknown = null, timeoutMs = 120_000): Promise<T> {
      const id = next++;
      const answer = new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${cmd}: no answer in ${timeoutMs} ms`)), timeoutMs);
        pending.set(id, (reply) => {
          clearTimeout(timer);
          if (reply.error !== undefined) reject(new Error(`${cmd}: ${reply.error}`));
          else resolve(reply.result as T);
        });
      });
      child.send({ id, cmd, args });
      return Promise.race([answer, failOnExit(cmd)]);
    },
    event<T>(name: string, timeoutMs = 180_000): Promise<T> {
      if (events.has(name)) return Promise.resolve(events.get(name) as T);
      const arrived = new Promise<T>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ${name} in ${timeoutMs} ms:\n${text}`)),
          timeoutMs,
        );
        eventWaiters.set(name, (data) => {
          clearTimeout(timer);
          resolve(data as T);
        });
      });
      return Promise.race([arrived, failOnExit(name)]);
    },
    async exited(timeoutMs = 15_000) {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
  };
}

/** The p-th percentile (nearest rank) of `xs`. */
export function pct(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
