// The GraphQL documents the test files send: every template or quoted string under test/ that
// parses as a GraphQL document with an operation (helper constants such as CAMPAIGN_FIELDS inlined).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Kind, type OperationDefinitionNode, parse } from 'graphql';
import * as campaignHelpers from './campaigns.js';

export interface CorpusDocument {
  readonly source: string;
  readonly file: string;
  readonly operation: OperationDefinitionNode;
}

const CANDIDATE = /`([^`]*)`|'((?:\{|query|mutation|subscription)[^'\n]*)'/g;

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return testFiles(full);
    return full.endsWith('.ts') ? [full] : [];
  });
}

export function testDocuments(root = 'test'): CorpusDocument[] {
  const constants = campaignHelpers as Record<string, unknown>;
  const seen = new Map<string, CorpusDocument>();
  for (const file of testFiles(root)) {
    for (const match of readFileSync(file, 'utf8').matchAll(CANDIDATE)) {
      const source = (match[1] ?? match[2] ?? '').replace(/\$\{(\w+)\}/g, (all, name: string) =>
        typeof constants[name] === 'string' ? (constants[name] as string) : all,
      );
      if (source.includes('${') || seen.has(source)) continue;
      const operation = operationOf(source);
      if (operation) seen.set(source, { source, file, operation });
    }
  }
  return [...seen.values()];
}

function operationOf(source: string): OperationDefinitionNode | null {
  try {
    const document = parse(source);
    const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    return operations.length === 1 ? (operations[0] ?? null) : null;
  } catch {
    return null; // not GraphQL (SQL, messages, …)
  }
}

/** Whether the operation has a variable the request must supply. */
export function hasRequiredVariable(operation: OperationDefinitionNode): boolean {
  return (operation.variableDefinitions ?? []).some(
    (v) => v.type.kind === Kind.NON_NULL_TYPE && v.defaultValue === undefined,
  );
}

export function declaresVariable(operation: OperationDefinitionNode, name: string): boolean {
  return (operation.variableDefinitions ?? []).some((v) => v.variable.name.value === name);
}
