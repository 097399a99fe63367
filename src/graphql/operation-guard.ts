// Checks an operation after validation and before execution, the same way over HTTP (an Apollo
// plugin) and WebSocket (graphql-ws's execute/subscribe): unstorable strings, then the cost limit;
// then starts the execution budget. Every answer reports its cost in `extensions.cost`.
import type { ApolloServerPlugin } from '@apollo/server';
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { operationCost, selectOperation } from './cost.js';
import { BUDGET_ERROR_CODES, type BudgetLimits, startBudget } from './execution-budget.js';
import type { Executor } from './executor.js';
import { findUnstorableInput } from './input-hygiene.js';

export interface OperationLimits extends BudgetLimits {
  readonly maxCost: number;
}

export interface CostReport {
  readonly requested: number;
  readonly limit: number;
}

interface Checked {
  readonly cost: CostReport;
  readonly error?: GraphQLError;
}

/** Refusal (if any) and cost of one validated operation; starts its budget when it may run. */
export function checkOperation(
  schema: GraphQLSchema,
  limits: OperationLimits,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | undefined,
  contextValue: unknown,
): Checked {
  const unstorable = findUnstorableInput(document, variables);
  const cost = { requested: 0, limit: limits.maxCost };
  if (unstorable) {
    const error = new GraphQLError(
      `The string at ${unstorable.path} contains a NUL character or a lone UTF-16 surrogate, which cannot be stored. Remove it and retry.`,
      { extensions: { code: 'BAD_USER_INPUT', argumentPath: unstorable.path, http: { status: 400 } } },
    );
    return { cost, error };
  }
  const requested = operationCost(schema, document, operation, variables);
  const report = { requested, limit: limits.maxCost };
  if (requested > limits.maxCost) {
    const error = new GraphQLError(
      `The query's estimated cost ${requested} exceeds the limit of ${limits.maxCost}. Each page multiplies the cost of what it selects: ask for smaller pages (\`first\`) or fewer nested lists.`,
      { extensions: { code: 'QUERY_TOO_COMPLEX', cost: report, http: { status: 400 } } },
    );
    return { cost: report, error };
  }
  // Subscriptions live long: the budget bounds one request's execution, not a stream.
  if (operation.operation !== 'subscription' && typeof contextValue === 'object' && contextValue) {
    startBudget(contextValue, limits);
  }
  return { cost: report };
}

/** One error per budget code: once a budget is spent, every later resolver throws the same failure. */
export function collapseBudgetErrors<E extends { extensions?: Record<string, unknown> }>(
  errors: readonly E[],
): E[] {
  const seen = new Set<unknown>();
  return errors.filter((e) => {
    const code = e.extensions?.code;
    if (typeof code !== 'string' || !BUDGET_ERROR_CODES.has(code)) return true;
    if (seen.has(code)) return false;
    seen.add(code);
    return true;
  });
}

export function operationGuardPlugin<C extends object>(
  schema: GraphQLSchema,
  limits: OperationLimits,
): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      let cost: CostReport | undefined;
      return {
        async didResolveOperation({ document, operation, request, contextValue }) {
          if (!operation) return; // Apollo has already refused a missing operation
          if (operation.operation === 'subscription') {
            throw new GraphQLError(
              'Subscriptions run over WebSocket: connect with graphql-transport-ws to /graphql.',
              { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } },
            );
          }
          const checked = checkOperation(
            schema,
            limits,
            document,
            operation,
            request.variables,
            contextValue,
          );
          cost = checked.cost;
          if (checked.error) throw checked.error;
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (cost) result.extensions = { ...result.extensions, cost };
          if (result.errors) result.errors = collapseBudgetErrors(result.errors);
        },
      };
    },
  };
}

const costs = new WeakMap<object, CostReport>();

/** graphql-ws's `execute` and `subscribe`, checked like HTTP; `costOf` reads the cost for onNext. */
export function guardedWsExecution(
  schema: GraphQLSchema,
  limits: OperationLimits,
  /** The executor that runs what the guard lets through (graphql-js by default). */
  inner: Pick<Executor, 'execute' | 'subscribe'>,
) {
  const guard = (args: ExecutionArgs): ExecutionResult | undefined => {
    const operation = selectOperation(args.document, args.operationName);
    if (!operation) return undefined; // graphql-js reports the missing operation itself
    const checked = checkOperation(
      schema,
      limits,
      args.document,
      operation,
      args.variableValues ?? undefined,
      args.contextValue,
    );
    if (typeof args.contextValue === 'object' && args.contextValue)
      costs.set(args.contextValue, checked.cost);
    return checked.error ? { errors: [checked.error], extensions: { cost: checked.cost } } : undefined;
  };
  return {
    execute: (args: ExecutionArgs) => guard(args) ?? inner.execute(args),
    subscribe: (args: ExecutionArgs) => guard(args) ?? inner.subscribe(args),
    costOf: (contextValue: unknown): CostReport | undefined =>
      typeof contextValue === 'object' && contextValue ? costs.get(contextValue) : undefined,
  };
}
