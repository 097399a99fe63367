// Bounds one operation while it runs: a cap on resolved fields and list items (the response's size)
// and a time budget. Past either, every further resolver fails fast with one coded error.
// It also shares the event loop (when sliceMs is set): resolvers and loaders chain through promise
// jobs, which never let the loop in between. Once an operation has run sliceMs without the loop
// getting a turn, its further resolvers wait for one setImmediate (all of them the same one, so
// their loader calls still batch together), and /healthz, other requests and timers get in. A pause
// splits at most one loader batch in two; none happens while other operations' resolvers interleave
// with this one's (they already take turns, and a busy server would pay for the extra queries).
import { performance } from 'node:perf_hooks';
import {
  defaultFieldResolver,
  GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  isObjectType,
} from 'graphql';

/** How long one operation may hold the event loop before it lets others in (PostgreSQL). */
export const SLICE_MS = 10;

export interface BudgetLimits {
  /** Resolved fields plus list items, the response's node count. */
  readonly maxNodes: number;
  readonly timeoutMs: number;
  /**
   * How long the operation may hold the event loop before it pauses for a turn; 0: never. On PGlite
   * the database's own work runs on this thread and cannot be split, and a pause costs a split loader
   * batch (one more query queued behind every other), so the server passes 0 there.
   */
  readonly sliceMs?: number;
}

/** The operation whose resolvers ran last. */
let running: Budget | null = null;

class Budget {
  private nodes = 0;
  private readonly deadline: number;
  private failure: GraphQLError | undefined;
  /** When this operation's current slice began, and whether the loop has turned since. */
  private sliceStart = 0;
  private turned = true;
  private gate: Promise<void> | null = null;
  private calls = 0;
  private readonly sliceMs: number;
  constructor(private readonly limits: BudgetLimits) {
    this.deadline = performance.now() + limits.timeoutMs;
    this.sliceMs = limits.sliceMs ?? 0;
  }

  /** A promise to wait for before resolving, when this operation has held the loop for a slice. */
  pause(): Promise<void> | null {
    if (this.gate || (++this.calls & 15) !== 0 || !this.sliceMs) return this.gate;
    const now = performance.now();
    if (running !== this) {
      // Another operation's resolvers ran since this one's last check: they take turns already,
      // and a pause would only split loader batches (more SQL) when the server is busy.
      running = this;
      this.turned = true;
    }
    if (this.turned) {
      // The loop got through a check phase since the last slice began (the operation waited for
      // I/O, or paused): a new slice, timed until the next check phase.
      this.turned = false;
      this.sliceStart = now;
      setImmediate(() => {
        this.turned = true;
      });
      return null;
    }
    if (now - this.sliceStart < this.sliceMs) return null;
    this.gate = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.gate = null;
      this.turned = true;
    });
    return this.gate;
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

// Kept on the context value itself: every resolver reads it, and a property is cheaper than a map.
const BUDGET = Symbol('execution budget');
type Budgeted = { [BUDGET]?: Budget };

/** Starts the budget of the operation that runs with this context value. */
export function startBudget(contextValue: object, limits: BudgetLimits): void {
  (contextValue as Budgeted)[BUDGET] = new Budget(limits);
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
      const budgeted: GraphQLFieldResolver<unknown, unknown> = (source, args, context, info) => {
        const budget = typeof context === 'object' && context ? (context as Budgeted)[BUDGET] : undefined;
        if (!budget) return resolve(source, args, context, info);
        // After the pause it asks again: those parked run a slice at a time, too.
        const pause = budget.pause();
        if (pause) return pause.then(() => budgeted(source, args, context, info));
        return run(budget, resolve, source, args, context, info);
      };
      field.resolve = budgeted;
    }
  }
  return schema;
}

function run(
  budget: Budget,
  resolve: GraphQLFieldResolver<unknown, unknown>,
  source: unknown,
  args: Record<string, unknown>,
  context: unknown,
  info: GraphQLResolveInfo,
): unknown {
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
}
