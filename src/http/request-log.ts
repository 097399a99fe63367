// One info line per HTTP GraphQL request: operation name and type, duration, error codes. The
// query text, variables and results stay out (they carry personal data).
import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../context.js';

export function requestLogPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ request }) {
      const started = performance.now();
      return {
        async willSendResponse(rc) {
          const body = rc.response.body;
          const errors = body.kind === 'single' ? (body.singleResult.errors ?? []) : [];
          const codes = [...new Set(errors.map((e) => String(e.extensions?.code ?? 'UNKNOWN')))];
          rc.contextValue.log.info(
            {
              // The client's name is logged only when the document did not resolve one (bounded).
              operationName: rc.operationName ?? request.operationName?.slice(0, 100) ?? null,
              operationType: rc.operation?.operation ?? null,
              durationMs: Math.round(performance.now() - started),
              status: rc.response.http.status ?? 200,
              ...(codes.length ? { errorCodes: codes } : {}),
            },
            'graphql request',
          );
        },
      };
    },
  };
}
