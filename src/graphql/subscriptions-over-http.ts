// Subscriptions run over WebSocket only. One sent over HTTP (a POST, or Apollo Client's multipart
// request) is answered 400 with a code and the way to do it, before anything executes.
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

export const SUBSCRIPTION_OVER_HTTP = 'SUBSCRIPTION_OVER_HTTP';

export function subscriptionsOverHttpPlugin<T extends object>(path: string): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'subscription') return;
          throw new GraphQLError(
            `Subscriptions are served over WebSocket only: connect to ${path} with the graphql-transport-ws protocol (e.g. the graphql-ws client).`,
            { extensions: { code: SUBSCRIPTION_OVER_HTTP, http: { status: 400 } } },
          );
        },
      };
    },
  };
}
