// graphql-ws connections for tests: connect eagerly and learn whether the server acknowledged the
// connection or closed it (and with which code), then run single-result operations over it.
import { type Client, createClient, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';

export type WsOutcome =
  | { kind: 'acknowledged'; client: Client }
  | { kind: 'closed'; code: number; reason: string };

/** Opens a connection with the given connectionParams and waits for the ack or the close. */
export function connectWs(
  url: string,
  connectionParams: Record<string, unknown>,
  timeoutMs = 5000,
): Promise<WsOutcome> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.dispose();
      reject(new Error(`no ack and no close within ${timeoutMs} ms`));
    }, timeoutMs);
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams,
      onNonLazyError: () => {}, // reported through the `closed` listener below
      on: {
        connected: () => {
          clearTimeout(timer);
          resolve({ kind: 'acknowledged', client });
        },
        closed: (event) => {
          clearTimeout(timer);
          const { code, reason } = event as { code: number; reason: string };
          resolve({ kind: 'closed', code, reason: String(reason) });
        },
      },
    });
  });
}

/** Runs a query over an open connection and resolves with its single result. */
export function executeWs<T = Record<string, unknown>>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<FormattedExecutionResult<T, unknown>> {
  return new Promise((resolve, reject) => {
    let result: FormattedExecutionResult<T, unknown> | undefined;
    client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          result = value;
        },
        error: reject,
        complete: () => (result ? resolve(result) : reject(new Error('completed without a result'))),
      },
    );
  });
}
