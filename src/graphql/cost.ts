// Query cost, estimated before execution: every selected field costs 1, and a paginated field
// multiplies its subtree by its page size (`first`/`last`, else the default page), so nesting
// lists multiplies work the way the database and the response size do.
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLSchema,
  getNamedType,
  isAbstractType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../app/loaders.js';

export interface CostContext {
  readonly schema: GraphQLSchema;
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  readonly variables: Readonly<Record<string, unknown>>;
  /** Fragment costs by name and parent types: repeated spreads must not make the walk exponential. */
  readonly memo: Map<string, number>;
}

/** The operation graphql-js would run: the named one, or the only one. */
export function selectOperation(
  document: DocumentNode,
  operationName: string | null | undefined,
): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (operationName) return operations.find((o) => o.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

export function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  }
  return fragments;
}

/** Estimated cost of one operation (validated document: fragments exist and do not cycle). */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | undefined,
): number {
  // Without variable definitions the cost is a property of the document: computed once.
  const constant = (operation.variableDefinitions?.length ?? 0) === 0;
  const known = constant ? constantCosts.get(operation) : undefined;
  if (known !== undefined) return known;
  const cost = computeCost(schema, document, operation, variables);
  if (constant) constantCosts.set(operation, cost);
  return cost;
}

const constantCosts = new WeakMap<OperationDefinitionNode, number>();

function computeCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | undefined,
): number {
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  const ctx: CostContext = {
    schema,
    fragments: fragmentsOf(document),
    variables: variables ?? {},
    memo: new Map(),
  };
  return selectionCost(ctx, operation.selectionSet, [root.name], new Set());
}

/**
 * Sum over the selections. `typeNames` are the object types the parent may be (several under an
 * interface or union); a field's cost is the largest it has on any of them.
 */
function selectionCost(
  ctx: CostContext,
  selectionSet: SelectionSetNode,
  typeNames: readonly string[],
  visiting: Set<string>,
): number {
  let total = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      total += fieldCost(ctx, selection, typeNames, visiting);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const narrowed = selection.typeCondition
        ? possibleTypeNames(ctx.schema, selection.typeCondition.name.value)
        : typeNames;
      total += selectionCost(ctx, selection.selectionSet, narrowed, visiting);
    } else {
      const name = selection.name.value;
      const fragment = ctx.fragments.get(name);
      if (!fragment || visiting.has(name)) continue; // validation refuses both; stay total anyway
      const key = `${name}@${typeNames.join(',')}`;
      let cost = ctx.memo.get(key);
      if (cost === undefined) {
        visiting.add(name);
        const narrowed = possibleTypeNames(ctx.schema, fragment.typeCondition.name.value);
        cost = selectionCost(ctx, fragment.selectionSet, narrowed, visiting);
        visiting.delete(name);
        ctx.memo.set(key, cost);
      }
      total += cost;
    }
  }
  return total;
}

function fieldCost(
  ctx: CostContext,
  node: FieldNode,
  typeNames: readonly string[],
  visiting: Set<string>,
): number {
  if (node.name.value.startsWith('__') || !node.selectionSet) return 1;
  let worst = 1;
  for (const typeName of typeNames) {
    const type = ctx.schema.getType(typeName);
    const field = isObjectType(type) ? type.getFields()[node.name.value] : undefined;
    if (!field) continue;
    const childTypes = possibleTypeNames(ctx.schema, getNamedType(field.type).name);
    const children = selectionCost(ctx, node.selectionSet, childTypes, visiting);
    worst = Math.max(worst, 1 + pageSize(ctx, field, node) * children);
  }
  return worst;
}

/** How many items a field can return: its page size when it paginates, else 1. */
function pageSize(ctx: CostContext, field: GraphQLField<unknown, unknown>, node: FieldNode): number {
  const paginates = field.args.some((a) => a.name === 'first' || a.name === 'last');
  if (!paginates) return 1;
  const requested = ['first', 'last']
    .map((name) => argumentValue(ctx, node, name))
    .find((v) => typeof v === 'number' && Number.isFinite(v));
  if (requested === undefined) return DEFAULT_PAGE_SIZE;
  return Math.min(Math.max(Math.trunc(requested as number), 0), MAX_PAGE_SIZE);
}

function argumentValue(ctx: CostContext, node: FieldNode, name: string): unknown {
  const value: ValueNode | undefined = node.arguments?.find((a) => a.name.value === name)?.value;
  if (!value) return undefined;
  if (value.kind === Kind.VARIABLE) return ctx.variables[value.name.value];
  if (value.kind === Kind.INT) return Number(value.value);
  return undefined;
}

function possibleTypeNames(schema: GraphQLSchema, typeName: string): string[] {
  const type = schema.getType(typeName);
  if (type && isAbstractType(type)) return schema.getPossibleTypes(type).map((t) => t.name);
  return [typeName];
}
