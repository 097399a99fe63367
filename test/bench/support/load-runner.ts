// The load generator, in its own process so it never shares a CPU queue with a server under test:
// one autocannon run per call, answering req/s and latency percentiles.
import autocannon from 'autocannon';
import { serveIpc } from './ipc.js';

export interface LoadSpec {
  readonly url: string;
  readonly body: string;
  readonly token?: string;
  readonly connections: number;
  readonly seconds: number;
}

export interface LoadResult {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
}

serveIpc({
  async run(args) {
    const spec = args as LoadSpec;
    const result = await autocannon({
      url: `${spec.url}/graphql`,
      method: 'POST',
      connections: spec.connections,
      duration: spec.seconds,
      headers: {
        'content-type': 'application/json',
        ...(spec.token ? { authorization: `Bearer ${spec.token}` } : {}),
      },
      body: spec.body,
    });
    return {
      rps: result.requests.total / result.duration,
      p50: result.latency.p50,
      p99: result.latency.p99,
      requests: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
    } satisfies LoadResult;
  },
  stop: () => setImmediate(() => process.exit(0)) && true,
});
