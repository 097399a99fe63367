// N real graphql-ws clients, one WebSocket each, all subscribed to the same operation: the live
// benchmark's dashboards, in their own process. Records every delivery (event id, createdAt and the
// wall-clock receive time) and, when asked, checks them against the expected event list.
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { notify, pct, serveIpc } from './ipc.js';

interface Delivery {
  readonly id: string;
  readonly createdAt: number;
  readonly receivedAt: number;
}

interface Spec {
  readonly url: string;
  readonly token: string;
  readonly count: number;
  readonly query: string;
  readonly variables: Record<string, unknown>;
}

const clients: Client[] = [];
const deliveries: Delivery[][] = [];
const errors: unknown[] = [];
const now = () => performance.timeOrigin + performance.now();

function open(spec: Spec, index: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const received: Delivery[] = [];
    deliveries[index] = received;
    const client = createClient({
      url: spec.url,
      webSocketImpl: WebSocket,
      lazy: true,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${spec.token}` },
      on: { connected: () => resolve(), error: reject },
    });
    clients.push(client);
    client.subscribe<{ syncEvents: { id: string; createdAt: string } }>(
      { query: spec.query, variables: spec.variables },
      {
        next: (message) => {
          const event = message.data?.syncEvents;
          if (message.errors) errors.push(message.errors);
          if (event)
            received.push({ id: event.id, createdAt: Date.parse(event.createdAt), receivedAt: now() });
        },
        error: (error) => errors.push(error),
        complete: () => {},
      },
    );
  });
}

interface Check {
  /** The sync's events, oldest first (the list read back, reversed). */
  readonly expected: string[];
}

/** Per client: the deliveries of expected events, after dropping a first event that is not one. */
function relevant(received: Delivery[], expected: Set<string>): Delivery[] {
  const first = received[0];
  return first && !expected.has(first.id) ? received.slice(1) : received;
}

serveIpc({
  async connect(args) {
    const spec = args as Spec;
    // In waves, so the server sees a realistic ramp rather than N handshakes in the same tick.
    for (let i = 0; i < spec.count; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, spec.count - i) }, (_, k) => open(spec, i + k)));
    }
    return { connected: clients.length };
  },
  /** How many clients have at least `n` deliveries of the expected events. */
  progress(args) {
    const { expected } = args as Check;
    const set = new Set(expected);
    return deliveries.filter((d) => relevant(d, set).length >= expected.length).length;
  },
  check(args) {
    const { expected } = args as Check;
    const set = new Set(expected);
    const order = expected.join('\n');
    let exact = 0;
    let missing = 0;
    let duplicates = 0;
    let unexpected = 0;
    let outOfOrder = 0;
    let snapshots = 0;
    let inversions = 0;
    const orders = new Set<string>();
    const position = new Map(expected.map((id, i) => [id, i]));
    const latencies: number[] = [];
    for (const all of deliveries) {
      const got = relevant(all, set);
      if (got.length < all.length) snapshots++;
      const ids = got.map((d) => d.id);
      const unique = new Set(ids);
      duplicates += ids.length - unique.size;
      unexpected += ids.filter((id) => !set.has(id)).length;
      missing += expected.filter((id) => !unique.has(id)).length;
      orders.add(ids.join('\n'));
      // Adjacent deliveries in the opposite order to the list.
      for (let i = 1; i < ids.length; i++)
        if ((position.get(ids[i]!) ?? 0) < (position.get(ids[i - 1]!) ?? 0)) inversions++;
      if (ids.join('\n') === order) exact++;
      else if (unique.size === set.size && ids.length === expected.length) outOfOrder++;
      for (const d of got) latencies.push(d.receivedAt - d.createdAt);
    }
    return {
      clients: deliveries.length,
      exact,
      outOfOrder,
      inversionsPerClient: deliveries.length ? inversions / deliveries.length : 0,
      distinctOrders: orders.size,
      missing,
      duplicates,
      unexpected,
      snapshots,
      errors: errors.length,
      firstError: errors[0] === undefined ? null : JSON.stringify(errors[0]).slice(0, 300),
      latency: { p50: pct(latencies, 50), p99: pct(latencies, 99), max: pct(latencies, 100) },
    };
  },
  async stop() {
    await Promise.all(clients.map((c) => c.dispose()));
    setImmediate(() => process.exit(0));
    return true;
  },
});
notify('ready');
