// A real HTTP server that speaks the subset of Pinpoint's JSON:API the client uses, with
// per-domain API keys and permissions, fault injection, and a `/_control` endpoint for tests.
// Requests are handled in handler.ts (API calls and faults) and control.ts (`/_control`).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleRequest, type SimulatorContext } from './handler.js';
import { sendJson } from './http-io.js';
import { type SimFaults, SimulatorStore } from './store.js';
import { WebhookDispatcher } from './webhooks.js';

export interface PinpointSimulator {
  /** e.g. `http://127.0.0.1:54321` */
  readonly url: string;
  /** `${url}/{domain}`: the `PINPOINT_BASE_URL` / `baseUrlTemplate` pointing at this simulator. */
  readonly baseUrlTemplate: string;
  readonly store: SimulatorStore;
  setFaults(domain: string, faults: SimFaults): void;
  clearFaults(domain: string): void;
  close(): Promise<void>;
}

export async function startPinpointSimulator(
  options: { port?: number; host?: string; store?: SimulatorStore } = {},
): Promise<PinpointSimulator> {
  const store = options.store ?? new SimulatorStore();
  const host = options.host ?? '127.0.0.1';
  const dispatcher = new WebhookDispatcher();
  const unsubscribe = store.onApplicationEvent((webhooks, event, applicationId) =>
    dispatcher.dispatch(webhooks, event, applicationId),
  );
  const sim: SimulatorContext = { store, dispatcher, host };
  const server = http.createServer((req, res) => {
    handleRequest(sim, req, res).catch(() => {
      sendJson(res, 500, { errors: [{ status: '500', title: 'Simulator failure' }] });
    });
  });
  const url = await listen(server, options.port ?? 0, host);

  return {
    url,
    baseUrlTemplate: `${url}/{domain}`,
    store,
    setFaults: (domain, faults) => store.setFaults(domain, faults),
    clearFaults: (domain) => store.clearFaults(domain),
    close: async () => {
      // Pending retries and deliveries in flight end here: no timer outlives the simulator.
      unsubscribe();
      await dispatcher.close();
      for (const company of store.companies()) dispatcher.cancelPending(company.webhooks);
      await closeServer(server);
    },
  };
}

/** Listens and answers the server's URL (`http://host:port`, an IPv6 host in brackets). */
async function listen(server: http.Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const printableHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${printableHost}:${address.port}`;
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Hanging and kept-alive connections would otherwise keep close() waiting forever.
    server.closeAllConnections();
  });
}
