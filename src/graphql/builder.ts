// The Pothos builder: plugins, auth scopes, scalars and defaults. Defines no types.
import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import { isObjectType } from 'graphql';
import type { Context } from '../context.js';
import { CodedError, forbidden, unauthenticated } from '../errors.js';

export interface PothosTypes {
  Context: Context;
  AuthScopes: { authenticated: boolean; admin: boolean };
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    ID: { Input: string; Output: string };
  };
}

export const builder = new SchemaBuilder<PothosTypes>({
  // scope-auth first: authorization runs before anything else touches a field.
  plugins: [ScopeAuthPlugin, ErrorsPlugin, ValidationPlugin, RelayPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (ctx) => ({
      authenticated: ctx.viewer !== null,
      admin: ctx.viewer?.role === 'ADMIN',
    }),
    unauthorizedError: (_parent, ctx) => (ctx.viewer ? forbidden() : unauthenticated()),
  },
  errors: {
    directResult: true,
    defaultUnionOptions: {
      name: ({ fieldName }) => `${fieldName.charAt(0).toUpperCase()}${fieldName.slice(1)}Result`,
    },
  },
  validation: {
    validationError: (result) =>
      new CodedError('BAD_USER_INPUT', result.issues.map((i) => i.message).join('; ') || 'Invalid input'),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    idFieldOptions: {
      description: 'Global id (opaque; pass it to `node(id)` to refetch the object).',
    },
    nodeQueryOptions: {
      description:
        'Refetches any object that has a global `id` (Relay). Answers null when the id is unknown or belongs to another team. Requires authentication.',
      authScopes: { authenticated: true },
      // An id naming a type that is not a Node (`Admin:x`, `__proto__:x`) is unknown: null, not an error.
      resolve: (_root, args, _ctx, info, resolveNode) => {
        const type = info.schema.getType(args.id.typename);
        const isNode = isObjectType(type) && type.getInterfaces().some((i) => i.name === 'Node');
        return isNode ? resolveNode(args.id) : null;
      },
      args: { id: { description: 'The global `id` of the object, as another field returned it.' } },
    },
    nodesQueryOptions: false,
    nodeTypeOptions: { description: 'An object with a global id that `node(id)` can refetch.' },
    pageInfoTypeOptions: { description: 'Where a page of a Relay connection sits in the whole list.' },
    hasNextPageFieldOptions: {
      description: 'True when more items follow this page (fetch them with `after`).',
    },
    hasPreviousPageFieldOptions: {
      description:
        'True when items precede this page (it was fetched with `after`). Lists page forward only: to read them, start again without `after`.',
    },
    startCursorFieldOptions: { description: 'Cursor of the first item of this page; null when it is empty.' },
    endCursorFieldOptions: {
      description: 'Cursor of the last item of this page; pass it as `after` for the next page.',
    },
    pageInfoFieldOptions: { description: 'Where this page sits in the whole list.' },
    edgesFieldOptions: { description: 'The items of this page, each with its cursor.' },
    nodeFieldOptions: { description: 'The item.' },
    cursorFieldOptions: {
      description: 'Opaque position of this item; pass it as `after` to read on from it.',
    },
    firstArgOptions: { description: 'Page size, counting forward (use with `after`).' },
    afterArgOptions: { description: 'Return items after this cursor (an `endCursor` or edge `cursor`).' },
    lastArgOptions: { description: 'Page size, counting backward (use with `before`).' },
    beforeArgOptions: { description: 'Return items before this cursor (a `startCursor` or edge `cursor`).' },
  },
});
