// Builds a GraphQL enum from one of the domain's vocabularies (src/domain/types.ts): the values and
// their order come from the domain array, and the compiler insists on a description for each value.
import { builder } from './builder.js';

export function vocabularyEnum<const V extends string>(
  name: string,
  options: {
    readonly description: string;
    readonly values: readonly V[];
    readonly describe: { readonly [K in V]: string };
  },
) {
  return builder.enumType(name, {
    description: options.description,
    values: Object.fromEntries(
      options.values.map((value) => [value, { description: options.describe[value] }]),
    ) as Record<V, { description: string }>,
  });
}
