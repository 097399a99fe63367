// Bounds one operation while it runs: a cap on resolved fields and list items (the response's size)
// and a time budget. Past either, every further resolver fails fast with one coded error.
import { defaultFieldResolver, GraphQLError, type GraphQLSchema, isObjectType } from 'graphql';

export interface BudgetLimits {
  /** Resolved fields plus list items, the response's node count. */
  readonly maxNodes: number;
  readonly timeoutMs: number;
}

class Budget {
  private nodes = 0;
  private readonly deadline: number;
  private failure: GraphQLError | undefined;
  constructor(private readonly limits: BudgetLimits) {
    this.deadline = performance.now() + limits.timeoutMs;
  }

  charge(count: number): void {
    if (this.failure) throw this.failure;
    this.nodes += count;
    if (this.nodes > this.limits.maxNodes) {
      this.failure = new GraphQLError(
        `The response grew past ${this.limits.maxNodes} fields and items; execution stopped. Ask for smaller pages or fewer fields.`,
        { extensions: { code: 'RESPONSE_TOO_LARGE', limit: this.limits.maxNodes } },
      );
    } else if ((this.nodes & 63) === 0 && performance.now() > this.deadline) {
      this.failure = new GraphQLError(
        `The operation ran past its ${this.limits.timeoutMs} ms time budget; execution stopped. Ask for less, or retry later.`,
        { extensions: { code: 'QUERY_TIMEOUT', limit: this.limits.timeoutMs } },
      );
    }
    if (this.failure) throw this.failure;
  }
}

/** Codes the budget throws: they pass the error boundary as they are. */
export const BUDGET_ERROR_CODES: ReadonlySet<string> = new Set(['RESPONSE_TOO_LARGE', 'QUERY_TIMEOUT']);

const budgets = new WeakMap<object, Budget>();

/** Starts the budget of the operation that runs with this context value. */
export function startBudget(contextValue: object, limits: BudgetLimits): void {
  budgets.set(contextValue, new Budget(limits));
}

/**
 * Wraps every field's resolver (in place) to charge the operation's budget: one per field, plus the
 * length of a list it returns. Contexts without a budget (in-process calls) run unbounded.
 */
export function applyExecutionBudget(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context, info) => {
        const budget = typeof context === 'object' && context ? budgets.get(context) : undefined;
        if (!budget) return resolve(source, args, context, info);
        try {
          budget.charge(1);
          const result = resolve(source, args, context, info);
          if (Array.isArray(result)) budget.charge(result.length);
          return result;
        } catch (error) {
          // Rejected, never thrown: graphql-js 16 abandons sibling promises when a field throws
          // synchronously under a non-null parent, and their later rejections would go unhandled.
          return Promise.reject(error);
        }
      };
    }
  }
  return schema;
}
