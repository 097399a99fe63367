// Builds the schema: imports every type file (for their side effects on the builder), then toSchema.
import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.js';
import './errors.js';
import './scalars.js';
import './types/enums.js';
import './types/viewer.js';

builder.queryType({ description: 'Everything a client can read. Every field requires a bearer token.' });

export const schema = lexicographicSortSchema(builder.toSchema());
