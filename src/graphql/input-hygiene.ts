// Refuses strings no column can hold before any resolver runs: NUL bytes (PostgreSQL text rejects
// them) and lone UTF-16 surrogates (not encodable as UTF-8), wherever they sit in the input.
import { type ASTNode, type DocumentNode, Kind, type ValueNode, visit } from 'graphql';

/** A NUL, or a lone surrogate (String.prototype.isWellFormed, ES2024: not yet in our lib types). */
function unstorable(value: string): boolean {
  return value.includes('\u0000') || !(value as string & { isWellFormed(): boolean }).isWellFormed();
}

export interface UnstorableInput {
  /** Where the string sits, e.g. `$input.contacts.3.email` or `createCampaign(input.name)`. */
  readonly path: string;
}

/** The first unstorable string in the variables or the document's literal arguments, if any. */
export function findUnstorableInput(
  document: DocumentNode,
  variables: Readonly<Record<string, unknown>> | undefined,
): UnstorableInput | undefined {
  for (const name in variables) {
    const value = variables[name];
    const path = findInValue(value, [`$${name}`]);
    if (path) return { path: path.join('.') };
  }
  let found = literalFindings.get(document);
  if (found === undefined) {
    found = findInLiterals(document) ?? null;
    literalFindings.set(document, found);
  }
  return found ?? undefined;
}

// A document's literals never change: Apollo and the WebSocket front parse a query text once and
// reuse its DocumentNode, so the literal scan runs once per document, not once per request.
const literalFindings = new WeakMap<DocumentNode, UnstorableInput | null>();

function findInLiterals(document: DocumentNode): UnstorableInput | undefined {
  let found: UnstorableInput | undefined;
  visit(document, {
    Argument(node, _key, _parent, _path, ancestors) {
      if (found) return false;
      const owner = ownerName(ancestors.at(-1));
      const inner = findInLiteral(node.value, [node.name.value]);
      if (inner) found = { path: `${owner}(${inner.join('.')})` };
      return false;
    },
  });
  return found;
}

function findInValue(value: unknown, path: string[]): string[] | undefined {
  if (typeof value === 'string') return unstorable(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findInValue(value[i], [...path, String(i)]);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      // A key is input too: an unstorable key in a JSON object is as bad as an unstorable value.
      if (unstorable(key)) return [...path, key];
      const found = findInValue(inner, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

function findInLiteral(value: ValueNode, path: string[]): string[] | undefined {
  switch (value.kind) {
    case Kind.STRING:
      return unstorable(value.value) ? path : undefined;
    case Kind.LIST:
      for (let i = 0; i < value.values.length; i++) {
        const found = findInLiteral(value.values[i] as ValueNode, [...path, String(i)]);
        if (found) return found;
      }
      return undefined;
    case Kind.OBJECT:
      for (const field of value.fields) {
        const found = findInLiteral(field.value, [...path, field.name.value]);
        if (found) return found;
      }
      return undefined;
    default:
      return undefined;
  }
}

function ownerName(ancestor: ASTNode | readonly ASTNode[] | undefined): string {
  if (ancestor && 'kind' in ancestor && (ancestor.kind === Kind.FIELD || ancestor.kind === Kind.DIRECTIVE)) {
    return ancestor.name.value;
  }
  return 'argument';
}
