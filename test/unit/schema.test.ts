// The schema as clients see it: the committed SDL matches the code, and every public element is documented.
import { readFileSync } from 'node:fs';
import {
  buildSchema,
  findBreakingChanges,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isSpecifiedScalarType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { SYNC_OPTION_FIELDS, storedUserSettingsSchema } from '../../src/db/queries/stored-settings.js';
import { printedSchema, schemaPath } from '../../src/graphql/print-schema.js';
import { schema } from '../../src/graphql/schema.js';

describe('the printed schema', () => {
  it('matches schema/schema.graphql (run `npm run schema:print` after changing the schema)', () => {
    const committed = readFileSync(schemaPath, 'utf8');
    expect(
      printedSchema() === committed,
      'schema/schema.graphql is out of date: run `npm run schema:print` and commit the result',
    ).toBe(true);
  });
});

/**
 * Breaking changes of the schema against the last released one (schema/released.graphql, copied at
 * each release as CHANGELOG.md's "Releasing" section says). Each is printed, and each must be named
 * in CHANGELOG.md's Unreleased section: never a silent removal.
 */
describe('the schema against the last release', () => {
  it('names every breaking change in the changelog’s Unreleased section', () => {
    const released = buildSchema(readFileSync('schema/released.graphql', 'utf8'));
    const breaking = findBreakingChanges(released, buildSchema(printedSchema()));
    for (const change of breaking)
      console.warn(`breaking change since the last release: ${change.description}`);
    const changelog = readFileSync('CHANGELOG.md', 'utf8');
    const unreleased = /## \[Unreleased\]([\s\S]*?)(?=\n## \[|$)/.exec(changelog)?.[1] ?? '';
    // The schema coordinate each description starts with, e.g. "Query.foo" of "Query.foo was removed."
    const unlisted = breaking
      .map((change) => change.description.split(' ')[0]!.replace(/\.$/, ''))
      .filter((coordinate) => !unreleased.includes(coordinate));
    expect(unlisted, 'breaking changes missing from CHANGELOG.md (Unreleased)').toEqual([]);
  });
});

/** Every public schema element without a description, as `Type`, `Type.field`, `Type.field(arg)`… */
function undocumented(): string[] {
  const missing: string[] = [];
  const check = (description: string | null | undefined, where: string) => {
    if (!description?.trim()) missing.push(where);
  };
  const checkArgs = (args: readonly GraphQLArgument[], where: string) => {
    for (const arg of args) check(arg.description, `${where}(${arg.name})`);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || isSpecifiedScalarType(type)) continue;
    check(type.description, type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values<GraphQLField<unknown, unknown>>(type.getFields())) {
        check(field.description, `${type.name}.${field.name}`);
        checkArgs(field.args, `${type.name}.${field.name}`);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values<GraphQLInputField>(type.getFields())) {
        check(field.description, `${type.name}.${field.name}`);
      }
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) check(value.description, `${type.name}.${value.name}`);
    }
  }
  return missing.sort();
}

describe('schema documentation', () => {
  it('gives every type, field, argument, input field and enum value a description', () => {
    expect(undocumented()).toEqual([]);
  });
});

describe('the sync-option fields', () => {
  it('are the same options in every GraphQL type that holds them as in the settings schemas', () => {
    const fieldsOf = (name: string) => {
      const type = schema.getType(name);
      if (!isObjectType(type) && !isInputObjectType(type)) throw new Error(`${name} is no object type`);
      return Object.keys(type.getFields());
    };
    const campaignOptions = Object.keys(SYNC_OPTION_FIELDS).sort();
    const personalOptions = Object.keys(storedUserSettingsSchema.shape).sort();
    expect(fieldsOf('SyncOptions').sort()).toEqual(campaignOptions);
    expect(fieldsOf('SyncOptionsInput').sort()).toEqual(campaignOptions);
    expect(fieldsOf('UserSettingsInput').sort()).toEqual(personalOptions);
    expect(
      fieldsOf('UserSettings')
        .filter((f) => f !== 'id')
        .sort(),
    ).toEqual(personalOptions);
    for (const type of ['TeamSettings', 'TeamSettingsInput', 'EffectiveSync']) {
      expect(fieldsOf(type)).toEqual(expect.arrayContaining(personalOptions));
    }
  });
});
