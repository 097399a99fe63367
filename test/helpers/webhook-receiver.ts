// A real HTTP endpoint for webhook tests: records every request (raw body, headers, arrival time)
// and answers each with whatever `respond` decides, optionally after a delay.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly body: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly at: number;
}

export interface ReceiverAnswer {
  status: number;
  delayMs?: number;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly received: ReceivedRequest[];
  /** Decides the answer to the n-th request (0-based); 200 at once by default. */
  respond: (index: number, request: ReceivedRequest) => ReceiverAnswer;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const timers = new Set<NodeJS.Timeout>();
  const receiver = {
    url: '',
    received: [] as ReceivedRequest[],
    respond: (_index: number, _request: ReceivedRequest): ReceiverAnswer => ({ status: 200 }),
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = { body: Buffer.concat(chunks).toString('utf8'), headers: req.headers, at: Date.now() };
      const index = receiver.received.push(request) - 1;
      const answer = receiver.respond(index, request);
      const reply = () => {
        if (!res.destroyed) res.writeHead(answer.status, { Location: '/elsewhere' }).end();
      };
      if (!answer.delayMs) return reply();
      const timer = setTimeout(() => {
        timers.delete(timer);
        reply();
      }, answer.delayMs);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/pinpoint`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return receiver;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 10 ms until it returns a truthy value or `timeoutMs` passes. */
export async function waitUntil<T>(check: () => T, timeoutMs = 5_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
