// One HTTP exchange with Pinpoint over node:http(s): separate connect and total timeouts, and
// every failure turned into a typed PinpointError whose text has the API key scrubbed out.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { MEDIA_TYPE } from './api-assumptions.js';
import {
  PinpointBadRequestError,
  type PinpointCallInfo,
  type PinpointError,
  type PinpointFieldError,
  PinpointForbiddenError,
  PinpointInvalidKeyError,
  PinpointNetworkError,
  PinpointNotFoundError,
  PinpointRateLimitedError,
  PinpointServerError,
  PinpointValidationError,
} from './errors.js';
import { parseRetryAfter } from './retry-after.js';
import { errorDocumentSchema } from './schemas.js';

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
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);

/**
 * Removes the key from any text that might end up in a message or a log line. Keys shorter than
 * 4 characters are not real keys, and scrubbing them would mangle ordinary words.
 */
export function scrub(text: string, apiKey: string): string {
  return apiKey.length >= 4 ? text.split(apiKey).join('[redacted]') : text;
}

function truncate(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

export async function send(
  options: TransportOptions,
  method: 'GET' | 'POST' | 'PUT',
  url: URL,
  body?: unknown,
): Promise<HttpResult> {
  const isWrite = method !== 'GET';
  const path = url.pathname;
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
  const started = performance.now();
  const transport = url.protocol === 'https:' ? https : http;

  return new Promise<HttpResult>((resolve, reject) => {
    // Once bytes can have left on a live connection, a write may have been applied remotely.
    let connected = false;
    let settled = false;
    let timeoutCode: 'TIMEOUT' | 'CONNECT_TIMEOUT' | null = null;

    const call = (): PinpointCallInfo => ({ method, path, outcomeUnknown: isWrite && connected });

    const finish = (error: PinpointError | null, result?: HttpResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(totalTimer);
      clearTimeout(connectTimer);
      options.signal?.removeEventListener('abort', onAbort);
      const durationMs = Math.round(performance.now() - started);
      // Only method, path, status and duration: never headers, query strings or bodies.
      const status = result?.status ?? error?.status ?? null;
      options.onCall?.({ method, status, durationMs, ...(error ? { kind: error.kind } : {}) });
      if (error) {
        options.logger?.warn(
          { method, path, status, durationMs, kind: error.kind },
          'pinpoint request failed',
        );
        reject(error);
      } else if (result) {
        options.logger?.info({ method, path, status, durationMs }, 'pinpoint request');
        resolve(result);
      }
    };

    const req = transport.request(url, { method, headers });

    const fail = (cause: NodeJS.ErrnoException | null) => {
      const code = timeoutCode ?? cause?.code ?? 'ECONNRESET';
      const timedOut = timeoutCode !== null;
      finish(
        new PinpointNetworkError(
          networkMessage(options, method, path, code, call().outcomeUnknown),
          call(),
          { timedOut, dnsFailure: DNS_CODES.has(code), code },
          // Node's own error names host and port only; keep it for debugging.
          { cause: cause ?? undefined },
        ),
      );
    };
    // Settle first, then tear down: whatever events the destroyed socket emits are ignored.
    const abort = (code: 'TIMEOUT' | 'CONNECT_TIMEOUT' | 'ERESPONSETOOLARGE') => {
      if (code !== 'ERESPONSETOOLARGE') timeoutCode = code;
      fail(Object.assign(new Error(code), { code }));
      req.destroy();
    };
    function onAbort() {
      fail(Object.assign(new Error('ABORTED'), { code: 'ABORTED' }));
      req.destroy();
    }

    const totalTimer = setTimeout(() => abort('TIMEOUT'), options.timeoutMs);
    const connectTimer = setTimeout(() => {
      if (!connected) abort('CONNECT_TIMEOUT');
    }, options.connectTimeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();

    req.on('socket', (socket: Socket) => {
      const markConnected = () => {
        connected = true;
        clearTimeout(connectTimer);
      };
      // A kept-alive socket is already connected and will not emit the event again.
      if (!socket.connecting) markConnected();
      else socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', markConnected);
    });

    req.on('error', (cause: NodeJS.ErrnoException) => fail(cause));

    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let ended = false;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) abort('ERESPONSETOOLARGE');
        else chunks.push(chunk);
      });
      res.on('error', (cause: NodeJS.ErrnoException) => fail(cause));
      res.on('close', () => {
        if (!ended) fail(null);
      });
      res.on('end', () => {
        ended = true;
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        const result: HttpResult = { status, headers: res.headers, text, call: call() };
        if (status >= 200 && status < 300) finish(null, result);
        else finish(errorFromResponse(options, result));
      });
    });

    if (payload) req.end(payload);
    else req.end();
  });
}

function networkMessage(
  options: TransportOptions,
  method: string,
  path: string,
  code: string | null,
  outcomeUnknown: boolean,
): string {
  const where = `${method} ${path}`;
  let what: string;
  switch (code) {
    case 'TIMEOUT':
      what = `Pinpoint did not answer within ${options.timeoutMs} ms`;
      break;
    case 'CONNECT_TIMEOUT':
      what = `Could not connect to Pinpoint within ${options.connectTimeoutMs} ms`;
      break;
    case 'ECONNREFUSED':
      what = 'Pinpoint refused the connection';
      break;
    case 'ECONNRESET':
    case 'EPIPE':
      what = 'The connection to Pinpoint was dropped before it answered';
      break;
    default:
      what =
        code !== null && DNS_CODES.has(code)
          ? `The Pinpoint domain "${options.domain}" could not be resolved (check the domain)`
          : `Could not reach Pinpoint${code ? ` (${code})` : ''}`;
  }
  const suffix = outcomeUnknown ? '; the change may or may not have been saved' : '';
  return scrub(`${what} (${where} for "${options.domain}")${suffix}.`, options.apiKey);
}

function parseErrorBody(text: string): { summary: string; fields: PinpointFieldError[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { summary: truncate(text), fields: [] };
  }
  const parsed = errorDocumentSchema.safeParse(json);
  if (!parsed.success || parsed.data.errors.length === 0) return { summary: truncate(text), fields: [] };
  const fields = parsed.data.errors.map((error): PinpointFieldError => {
    const pointer = error.source?.pointer ?? '';
    const fromPointer = pointer.split('/').filter(Boolean).pop();
    const field = error.meta?.attribute ?? (fromPointer && fromPointer !== 'data' ? fromPointer : null);
    return {
      field: field ?? error.source?.parameter ?? 'base',
      message: error.meta?.message ?? error.detail ?? error.title ?? 'is invalid',
    };
  });
  const summary = parsed.data.errors
    .map((error) => error.detail ?? error.title ?? '')
    .filter(Boolean)
    .join('; ');
  return { summary: truncate(summary), fields };
}

function errorFromResponse(options: TransportOptions, result: HttpResult): PinpointError {
  const { status } = result;
  // A 4xx is Pinpoint's definite "no": nothing was written.
  const call: PinpointCallInfo = { ...result.call, outcomeUnknown: false };
  const { summary, fields } = parseErrorBody(result.text);
  const where = `${call.method} ${call.path} for "${options.domain}"`;
  const detail = summary ? ` Pinpoint said: ${summary}` : '';
  const text = (message: string) => scrub(message, options.apiKey);

  if (status === 401) {
    return new PinpointInvalidKeyError(
      text(`Pinpoint rejected the API key (401 on ${where}). Check or rotate the key.${detail}`),
      call,
      status,
    );
  }
  if (status === 403) {
    return new PinpointForbiddenError(
      text(
        `Pinpoint refused access (403 on ${where}): the API key lacks a permission or the API is switched off.${detail}`,
      ),
      call,
      status,
    );
  }
  if (status === 404) {
    return new PinpointNotFoundError(
      text(`Pinpoint has no such record or company (404 on ${where}).${detail}`),
      call,
      status,
    );
  }
  if (status === 422) {
    const scrubbed = fields.map((f) => ({ field: text(f.field), message: text(f.message) }));
    const list = scrubbed.length
      ? scrubbed.map((f) => `${f.field}: ${f.message}`).join('; ')
      : summary || 'no details given';
    return new PinpointValidationError(
      text(`Pinpoint refused the data (422 on ${where}): ${list}.`),
      call,
      scrubbed,
    );
  }
  if (status === 429) {
    const header = result.headers['retry-after'];
    const retryAfterMs = parseRetryAfter(Array.isArray(header) ? header[0] : header);
    const wait = retryAfterMs === null ? '' : ` Retry in ${Math.ceil(retryAfterMs / 1000)} s.`;
    return new PinpointRateLimitedError(
      text(`Pinpoint is rate limiting requests (429 on ${where}).${wait}`),
      call,
      retryAfterMs,
    );
  }
  if (status >= 500) {
    // Pinpoint received the write before failing, so it may have been (partly) applied.
    const serverCall = { ...call, outcomeUnknown: result.call.outcomeUnknown };
    const suffix = serverCall.outcomeUnknown ? ' The change may or may not have been saved.' : '';
    return new PinpointServerError(
      text(`Pinpoint had an internal problem (${status} on ${where}).${suffix}${detail}`),
      serverCall,
      status,
    );
  }
  return new PinpointBadRequestError(
    text(`Pinpoint rejected the request as malformed (${status} on ${where}).${detail}`),
    call,
    status,
  );
}
