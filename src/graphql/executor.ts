// Runs validated GraphQL documents: compiled by graphql-jit (each document compiled once, kept in a
// bounded LRU by its text) or by graphql-js. Anything graphql-jit cannot compile runs on graphql-js.
import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  execute as executeJs,
  GraphQLError,
  type GraphQLSchema,
  print,
  subscribe as subscribeJs,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';

export type ExecutorKind = 'jit' | 'graphql-js';

type PromiseOrValue<T> = T | Promise<T>;
type SubscriptionResult = AsyncGenerator<ExecutionResult, void, void> | ExecutionResult;

export interface Executor {
  readonly kind: ExecutorKind;
  execute(args: ExecutionArgs): PromiseOrValue<ExecutionResult>;
  subscribe(args: ExecutionArgs): Promise<SubscriptionResult>;
}

/** Marks a document graphql-jit refused, so it is not compiled again on every request. */
const NOT_COMPILABLE = Symbol('not compilable');
type Entry = CompiledQuery | typeof NOT_COMPILABLE;

export function createExecutor(
  schema: GraphQLSchema,
  options: { kind: ExecutorKind; cacheSize?: number },
): Executor {
  if (options.kind === 'graphql-js') {
    return {
      kind: 'graphql-js',
      execute: (args) => executeJs(args),
      subscribe: async (args) => (await subscribeJs(args)) as SubscriptionResult,
    };
  }
  const cache = new LRUCache<string, Entry>({ max: options.cacheSize ?? 1000 });

  function compiled(args: ExecutionArgs): CompiledQuery | null {
    if (args.schema !== schema) return null; // compiled queries are bound to one schema
    const key = `${args.operationName ?? ''}\u0000${documentText(args.document)}`;
    let entry = cache.get(key);
    if (entry === undefined) {
      entry = compile(schema, args.document, args.operationName ?? undefined);
      cache.set(key, entry);
    }
    return entry === NOT_COMPILABLE ? null : entry;
  }

  return {
    kind: 'jit',
    execute(args) {
      const query = compiled(args);
      if (!query) return executeJs(args);
      const result = query.query(args.rootValue, args.contextValue, args.variableValues);
      return result instanceof Promise ? result.then(asGraphqlJs) : asGraphqlJs(result);
    },
    async subscribe(args) {
      const query = compiled(args);
      if (!query?.subscribe) return (await subscribeJs(args)) as SubscriptionResult;
      const result = await query.subscribe(args.rootValue, args.contextValue, args.variableValues);
      return Symbol.asyncIterator in result ? mapEvents(result) : asGraphqlJs(result);
    },
  };
}

/**
 * graphql-jit's errors are look-alikes without `extensions` when the thrown error had none (Apollo
 * and graphql-ws expect graphql-js's shape): rebuild them as graphql-js errors, keys in its order.
 */
function asGraphqlJs(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length) return result;
  const errors = result.errors.map((e) => {
    if (Object.getPrototypeOf(e) === GraphQLError.prototype) return e;
    const copy = new GraphQLError(e.message, {
      path: e.path,
      originalError: e.originalError,
      extensions: e.extensions,
    });
    (copy as { locations: GraphQLError['locations'] }).locations = e.locations;
    return copy;
  });
  return 'data' in result ? { errors, data: result.data } : { errors };
}

/** Maps a compiled subscription's events; `return` reaches the source at once (as graphql-js does). */
function mapEvents(
  source: AsyncIterableIterator<ExecutionResult>,
): AsyncGenerator<ExecutionResult, void, void> {
  const done = { value: undefined, done: true } as const;
  const step = (r: IteratorResult<ExecutionResult>) =>
    r.done ? done : { value: asGraphqlJs(r.value), done: false as const };
  const events: AsyncGenerator<ExecutionResult, void, void> = {
    next: () => source.next().then(step),
    return: async () => (source.return ? step(await source.return()) : done),
    throw: async (error) => {
      if (source.throw) return step(await source.throw(error));
      throw error;
    },
    [Symbol.asyncIterator]: () => events,
  };
  return events;
}

function compile(schema: GraphQLSchema, document: DocumentNode, operationName?: string): Entry {
  try {
    const result = compileQuery(schema, document, operationName, {
      // Stack traces are never sent; capturing them for every resolver error only costs time.
      disablingCapturingStackErrors: true,
    });
    // A non-compiled result carries request errors (e.g. an unknown operation name): graphql-js
    // reports those in its own words, so the answer does not depend on the executor.
    return isCompiledQuery(result) ? result : NOT_COMPILABLE;
  } catch {
    return NOT_COMPILABLE;
  }
}

/** The document's source text (parsers keep it); printed only for documents built without one. */
function documentText(document: DocumentNode): string {
  return document.loc?.source.body ?? print(document);
}

/**
 * Apollo Server 5 takes a custom executor only as a "gateway": this one serves a fixed schema and
 * hands every validated operation to `executor`, with `finish` applied to each result.
 */
export function apolloGateway<TContext>(
  schema: GraphQLSchema,
  executor: Executor,
  finish: (result: ExecutionResult, context: TContext) => ExecutionResult = (result) => result,
): ApolloServerOptionsWithGateway<BaseContext>['gateway'] {
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    async load() {
      return {
        executor: async (request) => {
          const context = request.context as TContext;
          const result = await executor.execute({
            schema,
            document: request.document,
            contextValue: context,
            variableValues: request.request.variables,
            operationName: request.request.operationName,
          });
          return finish(result, context);
        },
      };
    },
    async stop() {},
  };
}
