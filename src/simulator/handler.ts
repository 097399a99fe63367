// One HTTP request to the simulator: the control routes, or a company's `/api/v1/...` call with
// its request log, the injected faults (latency, hang, 429, 5xx, a dropped write), the API key and
// its permissions, and then the route (routes.ts).
import type http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { handleControl } from './control.js';
import { errorBody, MEDIA_TYPE, readBody, sendJson } from './http-io.js';
import { ApiError } from './jsonapi.js';
import { handleApi } from './routes.js';
import {
  ALL_PERMISSIONS,
  type Permission,
  type SimCompany,
  type SimFaults,
  type SimulatorStore,
} from './store.js';
import type { WebhookDispatcher } from './webhooks.js';

/** What every request of one simulator shares. */
export interface SimulatorContext {
  readonly store: SimulatorStore;
  readonly dispatcher: WebhookDispatcher;
  /** The listening host, for `links` when a request names no Host. */
  readonly host: string;
}

/** One `/api/v1` call of a known company. */
interface ApiCall {
  readonly req: http.IncomingMessage;
  readonly res: http.ServerResponse;
  readonly method: string;
  readonly url: URL;
  /** The path after `/api/v1`, decoded. */
  readonly segments: string[];
  /** Appends the call to the company's request log with its answer's status. */
  readonly log: (status: number, body: unknown) => void;
}

type Log = ApiCall['log'];

export async function handleRequest(
  sim: SimulatorContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator.local');
  const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const method = req.method ?? 'GET';
  let text: string;
  try {
    text = await readBody(req);
  } catch {
    sendJson(res, 413, { errors: [{ status: '413', title: 'Payload too large' }] });
    return;
  }

  if (segments[0] === '_control') {
    handleControl(sim.store, sim.dispatcher, method, segments.slice(1), text, res);
    return;
  }

  const [domain, api, version, ...rest] = segments;
  const company = domain ? sim.store.company(domain) : undefined;
  if (!company || api !== 'api' || version !== 'v1') {
    // Pinpoint's answer for a subdomain that is no company.
    sendJson(res, 404, errorBody(ApiError.simple(404, 'Not found', 'No such company')));
    return;
  }
  company.counters.requests += 1;
  const log: Log = (status, body) =>
    company.requestLog.push({
      method,
      path: `/${rest.join('/')}`,
      query: Object.fromEntries(url.searchParams),
      status,
      body,
      at: new Date().toISOString(),
    });
  await handleApiCall(sim, company, { req, res, method, url, segments: rest, log }, text);
}

async function handleApiCall(sim: SimulatorContext, company: SimCompany, call: ApiCall, text: string) {
  const { req, res, method, log } = call;
  let body: unknown;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      log(400, text);
      sendJson(res, 400, errorBody(ApiError.simple(400, 'Malformed request', 'Body is not JSON')));
      return;
    }
  }

  const faults = company.faults;
  const apiPath = `/${call.segments.join('/')}`;
  if (await injectFault(faults, apiPath, body, call)) return;

  const isWrite = method === 'POST' || method === 'PUT' || method === 'PATCH' || method === 'DELETE';
  const result = answer(sim, company, call, body, isWrite);
  log(result.status, body);
  if (isWrite && take(faults.dropAfterWrite, apiPath)) {
    // The write above is applied; the client never learns the outcome.
    req.socket.destroy();
    return;
  }
  sendJson(res, result.status, result.body);
}

/** Takes one unit from a counted fault; true when this request gets the fault. */
function take(fault: { count: number; path?: string } | undefined, path: string): boolean {
  if (!fault || fault.count <= 0) return false;
  if (fault.path !== undefined && !path.startsWith(fault.path)) return false;
  fault.count -= 1;
  return true;
}

/** Waits the injected latency; true when a fault answered (or swallowed) the request instead. */
async function injectFault(
  faults: SimFaults,
  apiPath: string,
  body: unknown,
  call: ApiCall,
): Promise<boolean> {
  const { res, log } = call;
  if (faults.latencyMs) await sleep(faults.latencyMs);
  if (take(faults.hang, apiPath)) {
    // Never answered; close() tears the socket down.
    log(0, body);
    return true;
  }
  if (take(faults.rateLimit, apiPath)) {
    const retryAfter =
      faults.rateLimit?.retryAfterDate ??
      (faults.rateLimit?.retryAfterSeconds !== undefined
        ? String(faults.rateLimit.retryAfterSeconds)
        : undefined);
    log(429, body);
    sendJson(
      res,
      429,
      errorBody(ApiError.simple(429, 'Too Many Requests')),
      retryAfter !== undefined ? { 'Retry-After': retryAfter } : {},
    );
    return true;
  }
  if (take(faults.serverErrors, apiPath)) {
    const status = faults.serverErrors?.status ?? 500;
    log(status, body);
    sendJson(res, status, errorBody(ApiError.simple(status, 'Internal Server Error')));
    return true;
  }
  return false;
}

/** The route's answer once key, permission and media type are checked; an ApiError as its document. */
function answer(
  sim: SimulatorContext,
  company: SimCompany,
  { req, method, segments, url }: ApiCall,
  body: unknown,
  isWrite: boolean,
): { status: number; body: unknown } {
  try {
    const key = req.headers['x-api-key'];
    const permissions = typeof key === 'string' ? company.apiKeys.get(key) : undefined;
    if (!permissions) throw ApiError.simple(401, 'Unauthorized', 'Missing or invalid API key');
    const needed = `${segments[0] ?? ''}:${isWrite ? 'write' : 'read'}` as Permission;
    // Unknown resources fall through to the router's 404 rather than a misleading 403.
    if (ALL_PERMISSIONS.includes(needed) && !permissions.has(needed)) {
      throw ApiError.simple(403, 'Forbidden', `This API key lacks the ${needed} permission`);
    }
    const contentType = req.headers['content-type'] ?? '';
    if (body !== undefined && !contentType.includes('json')) {
      throw ApiError.simple(415, 'Unsupported Media Type', `Send ${MEDIA_TYPE}`);
    }
    const host = req.headers.host ?? sim.host;
    return handleApi(sim.store, company, {
      method,
      segments,
      query: url.searchParams,
      body,
      apiRoot: `http://${host}/${company.domain}/api/v1`,
    });
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, body: errorBody(error) };
    throw error;
  }
}
