// The wrong-token flood for bench/auth-flood.ts, in its own process: an open-loop sender at a fixed
// rate (requests go out on schedule whatever the answers), each with a fresh random token, spread over
// several loopback source addresses (127.0.0.x: distinct clients to the server, no proxy needed).
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { serveIpc } from './ipc.js';

interface FloodSpec {
  readonly url: string;
  readonly rate: number;
  readonly addresses: readonly string[];
}

let stop: (() => Promise<Record<string, number>>) | null = null;

function startFlood(spec: FloodSpec): () => Promise<Record<string, number>> {
  const target = new URL('/graphql', spec.url);
  const agents = spec.addresses.map(
    (localAddress) => new http.Agent({ keepAlive: true, maxSockets: 64, localAddress }),
  );
  const statuses: Record<string, number> = {};
  let inFlight = 0;
  let sent = 0;
  const body = JSON.stringify({ query: '{ viewer { user { id } } }' });
  const send = () => {
    const agent = agents[sent++ % agents.length]!;
    inFlight++;
    const req = http.request(
      target,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ppb_${randomBytes(32).toString('base64url')}`,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
          inFlight--;
        });
      },
    );
    req.on('error', () => {
      statuses.error = (statuses.error ?? 0) + 1;
      inFlight--;
    });
    req.end(body);
  };
  const startedAt = performance.now();
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - startedAt) / 1000) * spec.rate);
    while (sent < due) send();
  }, 5);
  return async () => {
    clearInterval(timer);
    const stoppedAt = performance.now();
    while (inFlight > 0 && performance.now() - stoppedAt < 30_000)
      await new Promise((r) => setTimeout(r, 20));
    for (const agent of agents) agent.destroy();
    return { ...statuses, sent, seconds: Math.round((stoppedAt - startedAt) / 100) / 10 };
  };
}

serveIpc({
  start(args) {
    stop = startFlood(args as FloodSpec);
  },
  async stop() {
    const result = (await stop?.()) ?? {};
    stop = null;
    return result;
  },
});
