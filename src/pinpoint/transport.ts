// One HTTP exchange with Pinpoint over node:http(s): separate connect and total timeouts, and
// every failure turned into a typed PinpointError (transport-errors.ts) whose text has the API key
// scrubbed out.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { MEDIA_TYPE } from './api-assumptions.js';
import type { PinpointCallInfo, PinpointError } from './errors.js';
import { errorFromResponse, networkError } from './transport-errors.js';

// Part of this module's API since before the error texts had their own module.
export { scrub } from './transport-errors.js';

/** Structural subset of a pino logger, so callers can pass theirs (or a child) directly. */
export interface PinpointLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface TransportOptions {
  /** Company label, only used to make messages readable. */
  readonly domain: string;
  readonly apiKey: string;
  readonly connectTimeoutMs: number;
  readonly timeoutMs: number;
  readonly userAgent: string;
  readonly logger?: PinpointLogger;
  /** Aborting it tears down any request in flight (e.g. the sync job was stopped). */
  readonly signal?: AbortSignal;
  /** Told about every finished call (metrics); never given headers, query strings or bodies. */
  readonly onCall?: PinpointCallObserver;
}

export type PinpointCallObserver = (call: {
  readonly method: string;
  readonly status: number | null;
  readonly durationMs: number;
  readonly kind?: string;
}) => void;

export interface HttpResult {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  /** For error messages and logs: path without the query string. */
  readonly call: PinpointCallInfo;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

type Method = 'GET' | 'POST' | 'PUT';
type TimeoutCode = 'TIMEOUT' | 'CONNECT_TIMEOUT';
/** Called once per exchange, with the error or with the 2xx result. */
type Settle = (error: PinpointError | null, result?: HttpResult) => void;

interface OutgoingRequest {
  readonly method: Method;
  readonly url: URL;
  readonly path: string;
  readonly isWrite: boolean;
  readonly headers: http.OutgoingHttpHeaders;
  readonly payload: Buffer | undefined;
}

export async function send(
  options: TransportOptions,
  method: Method,
  url: URL,
  body?: unknown,
): Promise<HttpResult> {
  const request = buildRequest(options, method, url, body);
  const started = performance.now();
  return new Promise<HttpResult>((resolve, reject) => {
    exchange(options, request, (error, result) => {
      report(options, request, Math.round(performance.now() - started), error, result);
      if (error) reject(error);
      else if (result) resolve(result);
    });
  });
}

function buildRequest(options: TransportOptions, method: Method, url: URL, body: unknown): OutgoingRequest {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const headers: http.OutgoingHttpHeaders = {
    'X-API-KEY': options.apiKey,
    Accept: MEDIA_TYPE,
    'User-Agent': options.userAgent,
  };
  if (payload) {
    headers['Content-Type'] = MEDIA_TYPE;
    headers['Content-Length'] = payload.length;
  }
  return { method, url, path: url.pathname, isWrite: method !== 'GET', headers, payload };
}

/** Tells the observer and the log about a finished call. */
function report(
  options: TransportOptions,
  { method, path }: OutgoingRequest,
  durationMs: number,
  error: PinpointError | null,
  result: HttpResult | undefined,
): void {
  // Only method, path, status and duration: never headers, query strings or bodies.
  const status = result?.status ?? error?.status ?? null;
  options.onCall?.({ method, status, durationMs, ...(error ? { kind: error.kind } : {}) });
  if (error) {
    options.logger?.warn({ method, path, status, durationMs, kind: error.kind }, 'pinpoint request failed');
  } else if (result) {
    options.logger?.info({ method, path, status, durationMs }, 'pinpoint request');
  }
}

/**
 * Runs one request to its single outcome: the first of a whole answer, a timeout, an abort of
 * the signal, a body over MAX_BODY_BYTES or a network failure. Later events are ignored.
 */
function exchange(options: TransportOptions, request: OutgoingRequest, settle: Settle): void {
  const { method, path, url } = request;
  // Once bytes can have left on a live connection, a write may have been applied remotely.
  let connected = false;
  let settled = false;
  let timeoutCode: TimeoutCode | null = null;
  const call = (): PinpointCallInfo => ({ method, path, outcomeUnknown: request.isWrite && connected });

  const finish: Settle = (error, result) => {
    if (settled) return;
    settled = true;
    clearTimeout(totalTimer);
    clearTimeout(connectTimer);
    options.signal?.removeEventListener('abort', onAbort);
    settle(error, result);
  };

  const req = (url.protocol === 'https:' ? https : http).request(url, { method, headers: request.headers });

  const fail = (cause: NodeJS.ErrnoException | null) =>
    finish(networkError(options, call(), timeoutCode, cause));
  // Settle first, then tear down: whatever events the destroyed socket emits are ignored.
  const abort = (code: TimeoutCode | 'ERESPONSETOOLARGE' | 'ABORTED') => {
    if (code === 'TIMEOUT' || code === 'CONNECT_TIMEOUT') timeoutCode = code;
    fail(Object.assign(new Error(code), { code }));
    req.destroy();
  };
  const onAbort = () => abort('ABORTED');

  const totalTimer = setTimeout(() => abort('TIMEOUT'), options.timeoutMs);
  const connectTimer = setTimeout(() => {
    if (!connected) abort('CONNECT_TIMEOUT');
  }, options.connectTimeoutMs);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  req.on('socket', (socket: Socket) =>
    whenConnected(socket, url, () => {
      connected = true;
      clearTimeout(connectTimer);
    }),
  );
  req.on('error', (cause: NodeJS.ErrnoException) => fail(cause));
  req.on('response', (res) =>
    readResponse(res, {
      tooLarge: () => abort('ERESPONSETOOLARGE'),
      fail,
      end: (status, headers, text) => {
        const result: HttpResult = { status, headers, text, call: call() };
        if (status >= 200 && status < 300) finish(null, result);
        else finish(errorFromResponse(options, result));
      },
    }),
  );

  if (request.payload) req.end(request.payload);
  else req.end();
}

/** Calls `connected` once the socket is connected. */
function whenConnected(socket: Socket, url: URL, connected: () => void): void {
  // A kept-alive socket is already connected and will not emit the event again.
  if (!socket.connecting) connected();
  else socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', connected);
}

interface ResponseHandlers {
  readonly tooLarge: () => void;
  readonly fail: (cause: NodeJS.ErrnoException | null) => void;
  readonly end: (status: number, headers: http.IncomingHttpHeaders, text: string) => void;
}

/** Reads the body whole; a connection that closes before its end is a failure. */
function readResponse(res: http.IncomingMessage, on: ResponseHandlers): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let ended = false;
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) on.tooLarge();
    else chunks.push(chunk);
  });
  res.on('error', (cause: NodeJS.ErrnoException) => on.fail(cause));
  res.on('close', () => {
    if (!ended) on.fail(null);
  });
  res.on('end', () => {
    ended = true;
    on.end(res.statusCode ?? 0, res.headers, Buffer.concat(chunks).toString('utf8'));
  });
}
