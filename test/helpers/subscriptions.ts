// A graphql-ws client for tests that records every message a subscription delivers.
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface Recorder<T> {
  readonly values: T[];
  readonly errors: unknown[];
  /** Resolves once `values` satisfies `predicate` (or rejects after `timeoutMs`). */
  waitFor(predicate: (values: T[]) => boolean, timeoutMs?: number): Promise<T[]>;
  dispose(): void;
}

export function wsClient(url: string, token: string | null, onClose?: (code: number) => void): Client {
  return createClient({
    url,
    webSocketImpl: WebSocket,
    lazy: true,
    retryAttempts: 0,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    on: onClose ? { closed: (event) => onClose((event as { code: number }).code) } : undefined,
  });
}

export function record<T>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): Recorder<T> {
  const values: T[] = [];
  const errors: unknown[] = [];
  const waiters = new Set<() => void>();
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (message) => {
        if (message.errors) errors.push(...message.errors);
        if (message.data) values.push(message.data as T);
        for (const wake of waiters) wake();
      },
      error: (error) => {
        errors.push(error);
        for (const wake of waiters) wake();
      },
      complete: () => {},
    },
  );
  return {
    values,
    errors,
    dispose,
    waitFor(predicate, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (predicate(values)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(values);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out; got ${JSON.stringify(values)} errors ${JSON.stringify(errors)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}
