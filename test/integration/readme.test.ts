// README.md as a test: every fenced `graphql` block runs in order (subscriptions over graphql-ws)
// against a real server with workers and the project's Pinpoint simulator seeded as
// `npm run pinpoint:sim` seeds it. A `json` block right after a `graphql` block is its variables;
// a string "<step N: a.b.0.c>" in it is replaced by that path in step N's `data` (the convention the
// README documents). Any error, typed error result or unresolved placeholder fails the test.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_API_KEY, seedDemoCompany } from '../../src/simulator/demo.js';
import { type PinpointSimulator, startSimulator } from '../helpers/pinpoint.js';
import { TestServer, type TestTeam } from '../helpers/server.js';
import { type Recorder, record, wsClient } from '../helpers/subscriptions.js';

interface Step {
  readonly number: number;
  readonly query: string;
  readonly variables: string | undefined;
}

/** The README's `graphql` blocks, each with the `json` block that directly follows it, if any. */
function readmeSteps(markdown: string): Step[] {
  const blocks = [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1],
    body: m[2]!,
  }));
  const steps: Step[] = [];
  blocks.forEach((block, index) => {
    if (block.lang !== 'graphql') return;
    const next = blocks[index + 1];
    steps.push({
      number: steps.length + 1,
      query: block.body,
      variables: next?.lang === 'json' ? next.body : undefined,
    });
  });
  return steps;
}

const PLACEHOLDER = /^<step (\d+): ([\w.]+)>$/;

/** Replaces "<step N: path>" strings with values from earlier answers; unknown ones throw. */
function resolve(value: unknown, answers: Map<number, unknown>): unknown {
  if (typeof value === 'string') {
    const match = PLACEHOLDER.exec(value);
    if (!match) return value;
    let found: unknown = answers.get(Number(match[1]));
    for (const key of match[2]!.split('.')) found = (found as Record<string, unknown> | undefined)?.[key];
    if (found === undefined) throw new Error(`README placeholder ${value} names nothing in that answer`);
    return found;
  }
  if (Array.isArray(value)) return value.map((item) => resolve(item, answers));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, answers)]));
  }
  return value;
}

/** Union results that came back as a typed error (`__typename` ending in "Error"). */
function typedErrors(data: unknown): unknown[] {
  if (Array.isArray(data)) return data.flatMap(typedErrors);
  if (!data || typeof data !== 'object') return [];
  const own = /Error$/.test(String((data as { __typename?: string }).__typename)) ? [data] : [];
  return [...own, ...Object.values(data).flatMap(typedErrors)];
}

const isSubscription = (query: string) => /^\s*subscription\b/m.test(query.replace(/#.*$/gm, ''));

let sim: PinpointSimulator;
let t: TestServer;
let team: TestTeam;
const subscriptions: Recorder<Record<string, unknown>>[] = [];

beforeAll(async () => {
  sim = await startSimulator();
  seedDemoCompany(sim, DEFAULT_DEMO_API_KEY);
  t = await TestServer.start({ workers: true, env: { PINPOINT_BASE_URL: sim.baseUrlTemplate } });
  team = await t.createTeam();
});

afterAll(async () => {
  for (const subscription of subscriptions) subscription.dispose();
  await t?.stop();
  await sim?.close();
});

describe('README.md', () => {
  const steps = readmeSteps(readFileSync('README.md', 'utf8'));

  it('has a walkthrough of graphql blocks, each followed by its variables', () => {
    expect(steps.length).toBeGreaterThanOrEqual(10);
    for (const step of steps) expect(step.variables, `step ${step.number}`).toBeDefined();
  });

  it('runs every graphql block in order, feeding ids forward, with no error', async () => {
    const answers = new Map<number, unknown>();
    for (const step of steps) {
      const variables = resolve(JSON.parse(step.variables ?? '{}'), answers) as Record<string, unknown>;
      if (isSubscription(step.query)) {
        const recorder = record<Record<string, unknown>>(
          wsClient(t.wsUrl, team.adminToken),
          step.query,
          variables,
        );
        subscriptions.push(recorder);
        continue;
      }
      const result = await t.gql(step.query, variables, team.adminToken);
      expect(result.errors, `step ${step.number}: ${JSON.stringify(result.errors)}`).toBeUndefined();
      expect(typedErrors(result.data), `step ${step.number}`).toEqual([]);
      answers.set(step.number, result.data);
    }

    // The walkthrough's promises: the integration turned CONNECTED and the reply created an Application.
    const [integration, sync] = subscriptions;
    await integration!.waitFor((values) => JSON.stringify(values).includes('"CONNECTED"'), 15_000);
    await sync!.waitFor((values) => JSON.stringify(values).includes('"CREATED"'), 30_000);
    for (const subscription of subscriptions) expect(subscription.errors).toEqual([]);
    // The README's last pointer: the simulator's state now holds Ada.
    const state = await fetch(`${sim.url}/_control/demo/state`).then((response) => response.text());
    expect(state).toContain('ada@example.com');
  }, 60_000);
});
