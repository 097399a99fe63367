// Subscriptions executed once per group: which subscribers may share an event's result (same team
// and, unless the selection reads only the event row, the same viewer), and that a shared event is
// executed once per group and never across groups.
import { buildSchema, type ExecutionResult, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { groupKey, sharedSubscribe } from '../../src/graphql/shared-subscribe.js';

const viewer = (teamId: string, userId: string, role = 'MEMBER') => ({
  viewer: { teamId, userId, role, email: `${userId}@example.com`, teamName: teamId, tokenId: `t-${userId}` },
});

const ROW =
  'subscription($id: ID) { syncEvents(campaignId: $id) { id cursor ...F } } fragment F on SyncEvent { createdAt __typename }';
const NESTED = 'subscription { syncEvents { id campaignContact { id } } }';
const key = (query: string, context: object, variableValues: Record<string, unknown> = {}) =>
  groupKey({
    schema: buildSchema('type Query { a: Int }'),
    document: parse(query),
    contextValue: context,
    variableValues,
  });

describe('groupKey', () => {
  it('shares a row-only selection across the viewers of one team, never across teams', () => {
    const a = key(ROW, viewer('team-1', 'ada'), { id: 'c1' });
    expect(a).not.toBeNull();
    expect(key(ROW, viewer('team-1', 'bob', 'ADMIN'), { id: 'c1' })).toBe(a);
    expect(key(ROW, viewer('team-2', 'ada'), { id: 'c1' })).not.toBe(a);
    expect(key(ROW, viewer('team-1', 'ada'), { id: 'c2' })).not.toBe(a);
  });

  it('shares a selection beyond the event row only with the same viewer', () => {
    const a = key(NESTED, viewer('team-1', 'ada'));
    expect(key(NESTED, viewer('team-1', 'ada'))).toBe(a);
    expect(key(NESTED, viewer('team-1', 'bob'))).not.toBe(a);
    expect(key(NESTED, viewer('team-1', 'ada', 'ADMIN'))).not.toBe(a);
  });

  it('shares nothing without a viewer', () => {
    expect(key(ROW, { viewer: null })).toBeNull();
  });
});

describe('sharedSubscribe', () => {
  const schema = buildSchema(`
    type Query { a: Int }
    type SyncEvent { id: ID! cursor: String! }
    type Subscription { syncEvents(campaignId: ID): SyncEvent! }
  `);

  it('executes a shared event once per group and gives each group its own result', async () => {
    const events = [{ id: 'e1' }, { id: 'e2' }];
    let executions = 0;
    const resolvers = {
      syncEvents: {
        subscribe: async function* () {
          yield* events;
        },
        resolve: (event: { id: string }) => {
          executions++;
          return { id: event.id, cursor: `c-${event.id}` };
        },
      },
    };
    const subscribe = async (context: object) =>
      (await sharedSubscribe({
        schema,
        document: parse('subscription($id: ID) { syncEvents(campaignId: $id) { id cursor } }'),
        rootValue: undefined,
        contextValue: context,
        variableValues: { id: 'c1' },
        subscribeFieldResolver: () => resolvers.syncEvents.subscribe(),
        fieldResolver: (root, _args, _ctx, info) =>
          info.fieldName === 'syncEvents'
            ? resolvers.syncEvents.resolve(root as { id: string })
            : (root as Record<string, unknown>)[info.fieldName],
      })) as AsyncGenerator<ExecutionResult>;
    const drain = async (stream: AsyncGenerator<ExecutionResult>) => {
      const results: ExecutionResult[] = [];
      for await (const result of stream) results.push(result);
      return results;
    };
    const [a, b, other] = await Promise.all([
      subscribe(viewer('team-1', 'ada')).then(drain),
      subscribe(viewer('team-1', 'bob')).then(drain),
      subscribe(viewer('team-2', 'cy')).then(drain),
    ]);
    expect(a.map((r) => r.data)).toEqual([
      { syncEvents: { id: 'e1', cursor: 'c-e1' } },
      { syncEvents: { id: 'e2', cursor: 'c-e2' } },
    ]);
    expect(b[0]).toBe(a[0]); // the same result object: executed once for team-1
    expect(b[1]).toBe(a[1]);
    expect(other[0]).not.toBe(a[0]); // team-2 executed its own
    expect(other.map((r) => r.data)).toEqual(a.map((r) => r.data));
    expect(executions).toBe(4); // two events × two groups, not × three subscribers
  });
});
