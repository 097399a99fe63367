// Builds the schema: imports every type file (for their side effects on the builder), then toSchema.
import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.js';
import { applyExecutionBudget } from './execution-budget.js';
import './errors.js';
import './scalars.js';
import './types/ats.js';
import './types/ats-enums.js';
import './types/audit.js';
import './types/campaign.js';
import './types/campaign-contact.js';
import './types/contact.js';
import './types/effective-sync.js';
import './types/enums.js';
import './types/integration.js';
import './types/settings.js';
import './types/sync.js';
import './types/sync-enums.js';
import './types/viewer.js';

builder.queryType({ description: 'Everything a client can read. Every field requires a bearer token.' });
builder.mutationType({ description: 'Everything a client can change. Every field requires a bearer token.' });
builder.subscriptionType({
  description:
    'Live updates over WebSocket (graphql-transport-ws on /graphql, token in connectionParams.authorization). Each sends the current state first, then every change.',
});

export const schema = applyExecutionBudget(lexicographicSortSchema(builder.toSchema()));
