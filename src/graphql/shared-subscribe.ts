// Subscriptions executed once per group, not once per subscriber: every event a stream yields as one
// object shared by many subscribers (app/sync-event-feed.ts hands all of a team's subscribers the
// same delivery) is executed once per identical (document, operation, variables, scope) and every
// member of the group gets the same ExecutionResult object (onNext then formats it once, see
// `sharedFormat`). The scope is the team when the selection is provably viewer-independent (only
// fields read from the event row itself), else the viewer (team, user, role).
import {
  createSourceEventStream,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  execute,
  Kind,
  type SelectionSetNode,
} from 'graphql';
import type { Context } from '../context.js';
import { selectOperation } from './cost.js';

type SubscriptionResult = AsyncGenerator<ExecutionResult, void, void> | ExecutionResult;

/**
 * Fields answered from the event payload alone, for every viewer of its team alike. A selection of
 * only these (and `__typename`) is shared by the whole team; anything else (a nested object such as
 * `campaignContact`) is shared only by the same viewer.
 */
const ROW_FIELDS: Readonly<Record<string, ReadonlySet<string>>> = {
  syncEvents: new Set(['__typename', 'id', 'kind', 'message', 'status', 'createdAt', 'cursor']),
};

/** Per shared event payload: the result of each group that executed it (released with the payload). */
const results = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();

/**
 * graphql-js's `subscribe`, with each event's execution shared by the subscribers of one group. The
 * source stream (and so the tenancy check, the token check and the cursor) stays per subscriber.
 */
export async function sharedSubscribe(args: ExecutionArgs): Promise<SubscriptionResult> {
  const stream = await createSourceEventStream(args);
  if (!isAsyncIterable(stream)) return stream;
  const key = groupKey(args);
  const run = (payload: unknown) => execute({ ...args, rootValue: payload }) as Promise<ExecutionResult>;
  const map = (payload: unknown): Promise<ExecutionResult> => {
    if (key === null || typeof payload !== 'object' || payload === null) return run(payload);
    let byGroup = results.get(payload);
    if (!byGroup) {
      byGroup = new Map();
      results.set(payload, byGroup);
    }
    let result = byGroup.get(key);
    if (!result) {
      result = Promise.resolve(run(payload));
      byGroup.set(key, result);
    }
    return result;
  };
  return mapStream(stream, map);
}

/** The group a subscription executes its events in; null when it shares with nobody. */
export function groupKey(args: ExecutionArgs): string | null {
  const viewer = (args.contextValue as Context | undefined)?.viewer;
  const operation = selectOperation(args.document, args.operationName);
  if (!viewer || !operation) return null;
  const scope = rowOnly(args.document, operation.selectionSet)
    ? `team ${viewer.teamId}`
    : `viewer ${viewer.teamId} ${viewer.userId} ${viewer.role}`;
  const text = args.document.loc?.source.body;
  if (text === undefined) return null;
  return `${scope}\u0000${operation.name?.value ?? ''}\u0000${JSON.stringify(args.variableValues ?? {})}\u0000${text}`;
}

/** Whether the subscription's one root field selects only ROW_FIELDS of its event. */
function rowOnly(document: DocumentNode, root: SelectionSetNode): boolean {
  const fields = root.selections.length === 1 ? root.selections[0] : undefined;
  if (fields?.kind !== Kind.FIELD || !fields.selectionSet) return false;
  const allowed = ROW_FIELDS[fields.name.value];
  if (!allowed) return false;
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d]] : [])),
  );
  const seen = new Set<string>();
  const only = (set: SelectionSetNode): boolean =>
    set.selections.every((s) => {
      if (s.kind === Kind.FIELD) return !s.selectionSet && allowed.has(s.name.value);
      if (s.kind === Kind.INLINE_FRAGMENT) return only(s.selectionSet);
      if (seen.has(s.name.value)) return true;
      seen.add(s.name.value);
      const fragment = fragments.get(s.name.value);
      return fragment !== undefined && only(fragment.selectionSet);
    });
  return only(fields.selectionSet);
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}

/** graphql-js's mapAsyncIterator: `return()` ends the source at once, a failed map ends it too. */
function mapStream<T, U>(
  source: AsyncIterable<T>,
  map: (value: T) => Promise<U>,
): AsyncGenerator<U, void, void> {
  const iterator = source[Symbol.asyncIterator]();
  const end = async () => {
    try {
      await iterator.return?.();
    } catch {
      // ending anyway
    }
  };
  const mapped = async (step: IteratorResult<T>): Promise<IteratorResult<U, void>> => {
    if (step.done) return { done: true, value: undefined };
    try {
      return { done: false, value: await map(step.value) };
    } catch (error) {
      await end();
      throw error;
    }
  };
  const generator: AsyncGenerator<U, void, void> = {
    next: async () => mapped(await iterator.next()),
    return: async () => mapped((await iterator.return?.()) ?? { done: true, value: undefined }),
    async throw(error: unknown) {
      if (iterator.throw) return mapped(await iterator.throw(error));
      await end();
      throw error;
    },
    [Symbol.asyncIterator]: () => generator,
  };
  return generator;
}

/** Formats a shared result once per group: `format` runs for the first member, the rest reuse it. */
const formatted = new WeakMap<ExecutionResult, ExecutionResult>();

export function sharedFormat(
  result: ExecutionResult,
  format: (result: ExecutionResult) => ExecutionResult,
): ExecutionResult {
  // With errors, each subscriber's own context logs them (with its request id).
  if (result.errors?.length) return format(result);
  let answer = formatted.get(result);
  if (!answer) {
    answer = format(result);
    formatted.set(result, answer);
  }
  return answer;
}
