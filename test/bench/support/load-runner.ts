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
  readonly graphqlErrors: number;
  readonly firstError: string | null;
}

serveIpc({
  async run(args) {
    const spec = args as LoadSpec;
    // A GraphQL error answers 200: count the bodies that carry one, so a failing target cannot pass.
    let graphqlErrors = 0;
    let firstError: string | null = null;
    const result = await autocannon({
      url: `${spec.url}/graphql`,
      method: 'POST',
      connections: spec.connections,
      duration: spec.seconds,
      timeout: 60, // seconds: on a loaded machine a slow answer is latency, not a lost request
      headers: {
        'content-type': 'application/json',
        ...(spec.token ? { authorization: `Bearer ${spec.token}` } : {}),
      },
      body: spec.body,
      requests: [
        {
          onResponse: (_status: number, body: string) => {
            if (!body.includes('"errors":')) return;
            graphqlErrors++;
            firstError ??= body.slice(0, 300);
          },
        },
      ],
    });
    return {
      rps: result.requests.total / result.duration,
      p50: result.latency.p50,
      p99: result.latency.p99,
      requests: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      graphqlErrors,
      firstError,
    } satisfies LoadResult;
  },
  stop: () => setImmediate(() => process.exit(0)) && true,
});
