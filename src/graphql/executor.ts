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
  getVariableValues,
  Kind,
  type OperationDefinitionNode,
  print,
  type VariableDefinitionNode,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';
import type { AppContext } from '../app/context.js';
import { type CachedExecution, executeThroughCache } from './read-cache.js';
import { sharedSubscribe } from './shared-subscribe.js';

export type ExecutorKind = 'jit' | 'graphql-js';

type PromiseOrValue<T> = T | Promise<T>;
type SubscriptionResult = AsyncGenerator<ExecutionResult, void, void> | ExecutionResult;

export interface Executor {
  readonly kind: ExecutorKind;
  execute(args: ExecutionArgs): PromiseOrValue<ExecutionResult>;
  subscribe(args: ExecutionArgs): Promise<SubscriptionResult>;
}

/** A compiled document, and its operation's variables (coerced by graphql-js first, see below). */
interface Compiled {
  readonly query: CompiledQuery;
  readonly variables: readonly VariableDefinitionNode[];
}
/** Marks a document graphql-jit refused, so it is not compiled again on every request. */
const NOT_COMPILABLE = Symbol('not compilable');
type Entry = Compiled | typeof NOT_COMPILABLE;

/**
 * `jit` compiles queries and mutations. Subscriptions always run on graphql-js: graphql-jit 0.8.9
 * hands a subscription's `subscribe` the operation's variables instead of the field's arguments.
 */
export function createExecutor(
  schema: GraphQLSchema,
  options: {
    kind: ExecutorKind;
    cacheSize?: number;
    /** Told when graphql-jit cannot compile a valid document (graphql-js then runs it). */
    onFallback?: (error: unknown) => void;
  },
): Executor {
  const subscribe = sharedSubscribe;
  if (options.kind === 'graphql-js') return { kind: 'graphql-js', execute: executeJs, subscribe };
  const cache = new LRUCache<string, Entry>({ max: options.cacheSize ?? 1000 });

  function compiled(args: ExecutionArgs): Compiled | null {
    if (args.schema !== schema) return null; // compiled queries are bound to one schema
    const key = `${args.operationName ?? ''}\u0000${documentText(args.document)}`;
    let entry = cache.get(key);
    if (entry === undefined) {
      entry = compile(
        schema,
        args.document,
        args.operationName ?? undefined,
        options.onFallback ?? (() => {}),
      );
      cache.set(key, entry);
    }
    return entry === NOT_COMPILABLE ? null : entry;
  }

  return {
    kind: 'jit',
    execute(args) {
      const entry = compiled(args);
      if (!entry) return executeJs(args);
      // graphql-js's coercion errors carry the variable's node, by which Apollo answers
      // BAD_USER_INPUT; graphql-jit's do not. Values stay raw: graphql-jit coerces them itself.
      if (entry.variables.length > 0) {
        const coerced = getVariableValues(schema, entry.variables, args.variableValues ?? {}, {
          maxErrors: 50,
        });
        if (coerced.errors) return { errors: coerced.errors };
      }
      const result = entry.query.query(args.rootValue, args.contextValue, args.variableValues);
      return result instanceof Promise ? result.then(asGraphqlJs) : asGraphqlJs(result);
    },
    subscribe,
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

function compile(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
  onFallback: (error: unknown) => void,
): Entry {
  // No (or no such) operation: graphql-js reports that request error in its own words.
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode =>
      d.kind === Kind.OPERATION_DEFINITION &&
      (operationName === undefined || d.name?.value === operationName),
  );
  if (!operation || operation.operation === 'subscription') return NOT_COMPILABLE;
  try {
    const result = compileQuery(schema, document, operationName, {
      // Stack traces are never sent; capturing them for every resolver error only costs time.
      disablingCapturingStackErrors: true,
    });
    if (!isCompiledQuery(result)) return NOT_COMPILABLE; // request errors, e.g. several operations
    return { query: result, variables: operation.variableDefinitions ?? [] };
  } catch (error) {
    onFallback(error);
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
  reads?: CachedExecution | null,
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
          const run = async () =>
            executor.execute({
              schema,
              document: request.document,
              contextValue: context,
              variableValues: request.request.variables,
              operationName: request.request.operationName,
            });
          const result = reads
            ? await executeThroughCache(
                reads,
                schema,
                {
                  document: request.document,
                  text: request.source ?? documentText(request.document),
                  operationName: request.request.operationName,
                  variables: request.request.variables,
                  context: context as AppContext,
                },
                run,
              )
            : await run();
          return finish(result, context);
        },
      };
    },
    async stop() {},
  };
}
