// A real HTTP server that speaks the subset of Pinpoint's JSON:API the client uses, with
// per-domain API keys and permissions, fault injection, and a `/_control` endpoint for tests.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { handleWebhookControl } from './control-webhooks.js';
import { ApiError } from './jsonapi.js';
import { handleApi } from './routes.js';
import {
  ALL_PERMISSIONS,
  type Permission,
  type SimCompany,
  type SimFaults,
  SimulatorStore,
} from './store.js';
import { WebhookDispatcher } from './webhooks.js';

export interface PinpointSimulator {
  /** e.g. `http://127.0.0.1:54321` */
  readonly url: string;
  /** `${url}/{domain}`: the `PINPOINT_BASE_URL` / `baseUrlTemplate` pointing at this simulator. */
  readonly baseUrlTemplate: string;
  readonly store: SimulatorStore;
  setFaults(domain: string, faults: SimFaults): void;
  clearFaults(domain: string): void;
  close(): Promise<void>;
}

const MEDIA_TYPE = 'application/vnd.api+json';
const MAX_BODY_BYTES = 1024 * 1024;

const countSchema = z.number().int().min(0);
const pathSchema = z.string().startsWith('/').optional();
export const faultsSchema = z
  .object({
    rateLimit: z
      .object({
        count: countSchema,
        retryAfterSeconds: z.number().int().min(0).optional(),
        retryAfterDate: z.string().optional(),
        path: pathSchema,
      })
      .optional(),
    serverErrors: z
      .object({ count: countSchema, status: z.number().int().min(500).max(599).optional(), path: pathSchema })
      .optional(),
    latencyMs: z.number().int().min(0).optional(),
    dropAfterWrite: z.object({ count: countSchema, path: pathSchema }).optional(),
    hang: z.object({ count: countSchema, path: pathSchema }).optional(),
  })
  .strict();

const companySchema = z.object({
  domain: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/),
  apiKeys: z.array(z.object({ key: z.string().min(1), permissions: z.array(z.string()).optional() })).min(1),
  jobs: z
    .array(
      z.object({
        title: z.string(),
        status: z.enum(['open', 'closed', 'archived', 'draft']).optional(),
        stages: z.array(z.string()).min(1).optional(),
        requiredFields: z.array(z.string()).optional(),
      }),
    )
    .optional(),
  customFields: z
    .array(
      z.object({
        label: z.string(),
        fieldType: z.string().optional(),
        resourceType: z.enum(['candidate', 'application', 'job']),
      }),
    )
    .optional(),
  paginationLinks: z.boolean().optional(),
});

class BodyError extends Error {}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyError('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {},
) {
  if (res.destroyed) return;
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': MEDIA_TYPE,
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function errorBody(error: ApiError) {
  return { errors: error.errors };
}

/** Takes one unit from a counted fault; true when this request gets the fault. */
function take(fault: { count: number; path?: string } | undefined, path: string): boolean {
  if (!fault || fault.count <= 0) return false;
  if (fault.path !== undefined && !path.startsWith(fault.path)) return false;
  fault.count -= 1;
  return true;
}

export async function startPinpointSimulator(
  options: { port?: number; host?: string; store?: SimulatorStore } = {},
): Promise<PinpointSimulator> {
  const store = options.store ?? new SimulatorStore();
  const host = options.host ?? '127.0.0.1';
  const dispatcher = new WebhookDispatcher();
  const unsubscribe = store.onApplicationEvent((webhooks, event, applicationId) =>
    dispatcher.dispatch(webhooks, event, applicationId),
  );

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      sendJson(res, 500, { errors: [{ status: '500', title: 'Simulator failure' }] });
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
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
      handleControl(method, segments.slice(1), text, res);
      return;
    }

    const [domain, api, version, ...rest] = segments;
    const company = domain ? store.company(domain) : undefined;
    if (!company || api !== 'api' || version !== 'v1') {
      // Pinpoint's answer for a subdomain that is no company.
      sendJson(res, 404, errorBody(ApiError.simple(404, 'Not found', 'No such company')));
      return;
    }
    company.counters.requests += 1;
    const log = (status: number, body: unknown) =>
      company.requestLog.push({
        method,
        path: `/${rest.join('/')}`,
        query: Object.fromEntries(url.searchParams),
        status,
        body,
        at: new Date().toISOString(),
      });

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
    const apiPath = `/${rest.join('/')}`;
    if (faults.latencyMs) await sleep(faults.latencyMs);
    if (take(faults.hang, apiPath)) {
      // Never answered; close() tears the socket down.
      log(0, body);
      return;
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
      return;
    }
    if (take(faults.serverErrors, apiPath)) {
      const status = faults.serverErrors?.status ?? 500;
      log(status, body);
      sendJson(res, status, errorBody(ApiError.simple(status, 'Internal Server Error')));
      return;
    }

    const isWrite = method === 'POST' || method === 'PUT' || method === 'PATCH' || method === 'DELETE';
    const result = answer(company, req, method, rest, url, body, isWrite);
    log(result.status, body);
    if (isWrite && take(faults.dropAfterWrite, apiPath)) {
      // The write above is applied; the client never learns the outcome.
      req.socket.destroy();
      return;
    }
    sendJson(res, result.status, result.body);
  }

  function answer(
    company: SimCompany,
    req: http.IncomingMessage,
    method: string,
    segments: string[],
    url: URL,
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
      const host = req.headers.host ?? `${options.host ?? '127.0.0.1'}`;
      return handleApi(store, company, {
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

  function handleControl(method: string, segments: string[], text: string, res: http.ServerResponse): void {
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      sendJson(res, 400, { error: 'body is not JSON' });
      return;
    }
    if (method === 'POST' && segments.length === 1 && segments[0] === 'companies') {
      const parsed = companySchema.safeParse(json);
      if (!parsed.success) {
        sendJson(res, 400, { error: z.prettifyError(parsed.error) });
        return;
      }
      try {
        const input = parsed.data;
        sendJson(
          res,
          201,
          store.createCompany({
            ...input,
            apiKeys: input.apiKeys.map((k) => ({
              key: k.key,
              permissions: k.permissions as Permission[] | undefined,
            })),
          }),
        );
      } catch (error) {
        sendJson(res, 409, { error: (error as Error).message });
      }
      return;
    }
    const [domain, what] = segments;
    const webhookAnswer = domain
      ? handleWebhookControl(store, dispatcher, method, domain, segments.slice(1), json)
      : null;
    if (webhookAnswer) {
      if (webhookAnswer.body === undefined) res.writeHead(webhookAnswer.status).end();
      else sendJson(res, webhookAnswer.status, webhookAnswer.body);
      return;
    }
    if (!domain || !store.company(domain) || segments.length !== 2) {
      sendJson(res, 404, { error: 'no such company' });
      return;
    }
    if (what === 'faults' && method === 'POST') {
      const parsed = faultsSchema.safeParse(json ?? {});
      if (!parsed.success) {
        sendJson(res, 400, { error: z.prettifyError(parsed.error) });
        return;
      }
      store.setFaults(domain, parsed.data);
      sendJson(res, 200, { faults: parsed.data });
    } else if (what === 'faults' && method === 'DELETE') {
      store.clearFaults(domain);
      res.writeHead(204).end();
    } else if (what === 'state' && method === 'GET') {
      sendJson(res, 200, store.snapshot(domain));
    } else {
      sendJson(res, 404, { error: 'no such control route' });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const printableHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${printableHost}:${address.port}`;

  return {
    url,
    baseUrlTemplate: `${url}/{domain}`,
    store,
    setFaults: (domain, faults) => store.setFaults(domain, faults),
    clearFaults: (domain) => store.clearFaults(domain),
    close: async () => {
      // Pending retries and deliveries in flight end here: no timer outlives the simulator.
      unsubscribe();
      await dispatcher.close();
      for (const company of store.companies()) dispatcher.cancelPending(company.webhooks);
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Hanging and kept-alive connections would otherwise keep close() waiting forever.
        server.closeAllConnections();
      });
    },
  };
}
