// The execution budget shares the event loop: an operation whose resolvers run for more than a slice
// without waiting lets timers and I/O in before it goes on, and answers the same as without it.
import { buildSchema, execute, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { applyExecutionBudget, startBudget } from '../../src/graphql/execution-budget.js';

/** 3000 rows whose `spin` field burns ~50 µs each: ~150 ms of synchronous work in all. */
function slowSchema() {
  const schema = buildSchema('type Row { id: Int! spin: Int! } type Query { rows: [Row!]! }');
  const spin = () => {
    const until = performance.now() + 0.05;
    while (performance.now() < until);
    return 1;
  };
  const rows = Array.from({ length: 3000 }, (_, id) => ({ id, spin }));
  schema.getQueryType()!.getFields().rows!.resolve = () => rows;
  return applyExecutionBudget(schema);
}

const document = parse('{ rows { id spin } }');
const limits = { maxNodes: 1_000_000, timeoutMs: 60_000, sliceMs: 10 };

describe('the execution budget', () => {
  it('lets the event loop in while a long operation runs, with the same answer', async () => {
    const schema = slowSchema();
    const unbudgeted = execute({ schema, document, contextValue: {} });
    expect(unbudgeted).not.toBeInstanceOf(Promise); // all synchronous: nothing else could run

    const contextValue = {};
    startBudget(contextValue, limits);
    const turns: number[] = [];
    const started = performance.now();
    const tick = () => {
      turns.push(performance.now() - started);
      if (!done) setImmediate(tick);
    };
    let done = false;
    setImmediate(tick);
    const result = await execute({ schema, document, contextValue });
    done = true;
    expect(result).toEqual(unbudgeted);
    // The loop turned several times during the operation (a 10 ms slice of 150 ms of work), never
    // as far apart as half the work: unsliced, one gap would be all of it. The bound is wall time, so
    // it leaves room for a loaded machine descheduling the process (a 40 ms bound on 60 ms of work
    // failed under a full CI run).
    expect(turns.length).toBeGreaterThanOrEqual(5);
    const gaps = turns.slice(1).map((t, i) => t - turns[i]!);
    expect(Math.max(...gaps)).toBeLessThan(75);
  });

  it('never pauses without a slice (PGlite), so it answers in one go', () => {
    const contextValue = {};
    startBudget(contextValue, { ...limits, sliceMs: 0 });
    expect(execute({ schema: slowSchema(), document, contextValue })).not.toBeInstanceOf(Promise);
  });
});
