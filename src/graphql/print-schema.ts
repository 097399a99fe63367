// `npm run schema:print`: writes the SDL of the code-first schema to schema/schema.graphql.
import { mkdirSync, writeFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { schema } from './schema.js';

export const schemaPath = new URL('../../schema/schema.graphql', import.meta.url);

export function printedSchema(): string {
  return `${printSchema(schema)}\n`;
}

if (process.argv[1]?.endsWith('print-schema.ts')) {
  mkdirSync(new URL('../../schema/', import.meta.url), { recursive: true });
  writeFileSync(schemaPath, printedSchema());
  console.log('wrote schema/schema.graphql');
}
