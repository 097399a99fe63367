import { describe, expect, it } from 'vitest';
import { coalesced } from '../../src/db/team-changes.js';

// The read cache's barrier (src/db/team-changes.ts): callers share round trips, but a caller never
// settles on a round trip that was already on its way when it called (it may have been sent before
// that caller's predecessors committed).
describe('coalesced barriers', () => {
  it('answers each caller from a round trip started after its call, sharing them', async () => {
    const started: number[] = [];
    const finish: (() => void)[] = [];
    let finished = 0;
    let now = 0;
    const barrier = coalesced(() => {
      started.push(now);
      return new Promise<boolean>((resolve) =>
        finish.push(() => {
          finished += 1;
          resolve(true);
        }),
      );
    });
    const settledAt = new Map<string, number>();
    // Which round trip settled a caller (the last one finished), and whether it started after the call.
    const call = (name: string) => {
      const calledAt = now;
      return barrier().then(() => {
        settledAt.set(name, finished - 1);
        expect(started[finished - 1]).toBeGreaterThanOrEqual(calledAt);
      });
    };
    const tick = () => new Promise((r) => setImmediate(r));

    now = 1;
    const a = call('a'); // starts round trip 0
    now = 2;
    const b = call('b'); // 0 is in flight: waits for the next one
    const c = call('c'); // shares b's
    expect(started).toEqual([1]);
    finish[0]!();
    await a;
    await tick();
    expect(started).toEqual([1, 2]); // one more round trip, for b and c together
    expect(settledAt.get('a')).toBe(0);
    expect(settledAt.has('b')).toBe(false);
    now = 3;
    const d = call('d'); // round trip 1 (started at 2) is in flight: d waits for round trip 2
    finish[1]!();
    await Promise.all([b, c]);
    await tick();
    expect(started).toEqual([1, 2, 3]);
    expect(settledAt.has('d')).toBe(false);
    finish[2]!();
    await d;
    expect(Object.fromEntries(settledAt)).toEqual({ a: 0, b: 1, c: 1, d: 2 });
    // Idle again: the next caller starts a round trip at once.
    now = 4;
    const e = call('e');
    expect(started).toEqual([1, 2, 3, 4]);
    finish[3]!();
    await e;
  });
});
