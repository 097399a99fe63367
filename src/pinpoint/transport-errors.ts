// How a finished or failed HTTP exchange becomes a typed PinpointError: the classification of a
// non-2xx answer (Retry-After included) and of a network failure, with the API key scrubbed out.
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
import type { HttpResult, TransportOptions } from './transport.js';

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

/**
 * The exchange ended without a whole answer: our own timeout (`timeoutCode`), an abort, or what
 * Node reported (`cause`, whose own message names host and port only and is kept for debugging).
 */
export function networkError(
  options: TransportOptions,
  call: PinpointCallInfo,
  timeoutCode: string | null,
  cause: NodeJS.ErrnoException | null,
): PinpointNetworkError {
  const code = timeoutCode ?? cause?.code ?? 'ECONNRESET';
  return new PinpointNetworkError(
    networkMessage(options, call.method, call.path, code, call.outcomeUnknown),
    call,
    { timedOut: timeoutCode !== null, dnsFailure: DNS_CODES.has(code), code },
    { cause: cause ?? undefined },
  );
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

/** What every non-2xx classification needs: the call, where it went, and the scrubbing. */
interface Refusal {
  readonly result: HttpResult;
  /** The call as a definite "no" (a 4xx wrote nothing). */
  readonly call: PinpointCallInfo;
  readonly where: string;
  readonly summary: string;
  readonly fields: PinpointFieldError[];
  /** ` Pinpoint said: …`, or empty. */
  readonly detail: string;
  readonly text: (message: string) => string;
}

/** A non-2xx answer as its typed error. */
export function errorFromResponse(options: TransportOptions, result: HttpResult): PinpointError {
  const { status } = result;
  // A 4xx is Pinpoint's definite "no": nothing was written.
  const call: PinpointCallInfo = { ...result.call, outcomeUnknown: false };
  const { summary, fields } = parseErrorBody(result.text);
  const r: Refusal = {
    result,
    call,
    where: `${call.method} ${call.path} for "${options.domain}"`,
    summary,
    fields,
    detail: summary ? ` Pinpoint said: ${summary}` : '',
    text: (message: string) => scrub(message, options.apiKey),
  };
  if (status === 401) {
    return new PinpointInvalidKeyError(
      r.text(`Pinpoint rejected the API key (401 on ${r.where}). Check or rotate the key.${r.detail}`),
      call,
      status,
    );
  }
  if (status === 403) return forbiddenError(r);
  if (status === 404) {
    return new PinpointNotFoundError(
      r.text(`Pinpoint has no such record or company (404 on ${r.where}).${r.detail}`),
      call,
      status,
    );
  }
  if (status === 422) return validationError(r);
  if (status === 429) return rateLimitedError(r);
  if (status >= 500) return serverError(r);
  return new PinpointBadRequestError(
    r.text(`Pinpoint rejected the request as malformed (${status} on ${r.where}).${r.detail}`),
    call,
    status,
  );
}

function forbiddenError(r: Refusal): PinpointError {
  return new PinpointForbiddenError(
    r.text(
      `Pinpoint refused access (403 on ${r.where}): the API key lacks a permission or the API is switched off.${r.detail}`,
    ),
    r.call,
    r.result.status,
  );
}

function validationError(r: Refusal): PinpointError {
  const scrubbed = r.fields.map((f) => ({ field: r.text(f.field), message: r.text(f.message) }));
  const list = scrubbed.length
    ? scrubbed.map((f) => `${f.field}: ${f.message}`).join('; ')
    : r.summary || 'no details given';
  return new PinpointValidationError(
    r.text(`Pinpoint refused the data (422 on ${r.where}): ${list}.`),
    r.call,
    scrubbed,
  );
}

/** A 429 carries how long to wait (`Retry-After`, seconds or a date) when Pinpoint says so. */
function rateLimitedError(r: Refusal): PinpointError {
  const header = r.result.headers['retry-after'];
  const retryAfterMs = parseRetryAfter(Array.isArray(header) ? header[0] : header);
  const wait = retryAfterMs === null ? '' : ` Retry in ${Math.ceil(retryAfterMs / 1000)} s.`;
  return new PinpointRateLimitedError(
    r.text(`Pinpoint is rate limiting requests (429 on ${r.where}).${wait}`),
    r.call,
    retryAfterMs,
  );
}

function serverError(r: Refusal): PinpointError {
  const { status } = r.result;
  // Pinpoint received the write before failing, so it may have been (partly) applied.
  const serverCall = { ...r.call, outcomeUnknown: r.result.call.outcomeUnknown };
  const suffix = serverCall.outcomeUnknown ? ' The change may or may not have been saved.' : '';
  return new PinpointServerError(
    r.text(`Pinpoint had an internal problem (${status} on ${r.where}).${suffix}${r.detail}`),
    serverCall,
    status,
  );
}
