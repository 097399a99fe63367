// Which operations' answers may be cached (app/read-cache.ts keeps them and drops them on any change
// of the team's data): queries that select only fields computed from the team's users, their
// settings, the team's settings, contacts, campaigns and campaign contacts, the tables whose every
// write notifies the team (drizzle/0010_team_data_changes.sql). A field that reads anything else
// (the integration's domain, Pinpoint, the clock, the viewer's token or rate limit) keeps the whole
// operation uncached. Decided once per document, by walking its selections against this list.
import {
  type DocumentNode,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { LRUCache } from 'lru-cache';
import type { AppContext } from '../app/context.js';
import type { ReadCache } from '../app/read-cache.js';

/** Root fields whose answers are team data. */
const CACHEABLE_ROOTS = new Set(['campaigns', 'campaign']);

/** Types whose fields are all team data, but for the exceptions below. */
const CACHEABLE_TYPES = new Set([
  'Campaign',
  'CampaignConnection',
  'CampaignEdge',
  'CampaignContact',
  'CampaignContactConnection',
  'CampaignContactEdge',
  'PageInfo',
  'Contact',
  'User',
  'EffectiveSync',
  'SyncOverride',
  'SyncOptions',
  'FieldValue',
  'SettingSourceEntry',
  'AtsStatus',
]);

/** Fields of those types that read something else (the integration's Pinpoint domain). */
const UNCACHEABLE_FIELDS = new Set(['CampaignContact.pinpointUrl', 'AtsStatus.pinpointUrl']);

/** Whether `document`'s operation may be answered from the read cache. */
export function isCacheableRead(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
): boolean {
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode =>
      d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
  if (operation?.operation !== 'query') return false;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  }
  const rootName = schema.getQueryType()?.name;
  const check = (typeName: string, set: SelectionSetNode, seen: Set<string>): boolean =>
    set.selections.every((selection) => {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        return check(selection.typeCondition?.name.value ?? typeName, selection.selectionSet, seen);
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || seen.has(fragment.name.value)) return !!fragment;
        return check(
          fragment.typeCondition.name.value,
          fragment.selectionSet,
          new Set(seen).add(fragment.name.value),
        );
      }
      const name = selection.name.value;
      if (name === '__typename') return true;
      const allowed =
        typeName === rootName
          ? CACHEABLE_ROOTS.has(name)
          : CACHEABLE_TYPES.has(typeName) && !UNCACHEABLE_FIELDS.has(`${typeName}.${name}`);
      if (!allowed) return false;
      if (!selection.selectionSet) return true;
      const parent = schema.getType(typeName);
      const field = isObjectType(parent) ? parent.getFields()[name] : undefined;
      if (!field) return false;
      let type = field.type;
      while ('ofType' in type) type = type.ofType;
      return check(type.name, selection.selectionSet, seen);
    });
  return check(rootName ?? 'Query', operation.selectionSet, new Set());
}

export interface CachedExecution {
  readonly cache: ReadCache<ExecutionResult>;
  /** Decisions per document text (bounded like the compiled documents). */
  readonly decisions: LRUCache<string, boolean>;
}

export function cachedExecution(cache: ReadCache<ExecutionResult>): CachedExecution {
  return { cache, decisions: new LRUCache({ max: 1000 }) };
}

/**
 * Runs `execute` for the request, or answers from the cache: per team, per viewer (a role or user
 * may one day see less), per document text, operation name and variables.
 */
export async function executeThroughCache(
  reads: CachedExecution,
  schema: GraphQLSchema,
  request: {
    document: DocumentNode;
    text: string;
    operationName?: string | null;
    variables?: Record<string, unknown> | null;
    context: AppContext;
  },
  execute: () => Promise<ExecutionResult>,
): Promise<ExecutionResult> {
  const viewer = request.context.viewer;
  if (!viewer) return execute();
  const decisionKey = `${request.operationName ?? ''}\u0000${request.text}`;
  let cacheable = reads.decisions.get(decisionKey);
  if (cacheable === undefined) {
    cacheable = isCacheableRead(schema, request.document, request.operationName);
    reads.decisions.set(decisionKey, cacheable);
  }
  if (!cacheable) return execute();
  const variables = request.variables ? JSON.stringify(request.variables) : '';
  const key = `${viewer.userId}\u0000${viewer.role}\u0000${decisionKey}\u0000${variables}`;
  const hit = await reads.cache.get(viewer.teamId, key);
  if (hit) return { data: hit.data };
  const ticket = reads.cache.ticket(viewer.teamId);
  const result = await execute();
  if (ticket && !result.errors && result.data) {
    reads.cache.store(ticket, key, result, JSON.stringify(result.data).length);
  }
  return result;
}
