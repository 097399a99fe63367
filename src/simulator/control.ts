// `/_control/...`: what tests and the demo use to set the simulator up: create companies, inject
// faults, read a company's state, and (control-webhooks.ts) drive webhooks and applications.
import type http from 'node:http';
import { z } from 'zod';
import { handleWebhookControl } from './control-webhooks.js';
import { sendJson } from './http-io.js';
import type { Permission, SimulatorStore } from './store.js';
import type { WebhookDispatcher } from './webhooks.js';

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

/** `segments` are the path after `/_control`; `text` is the request body. */
export function handleControl(
  store: SimulatorStore,
  dispatcher: WebhookDispatcher,
  method: string,
  segments: string[],
  text: string,
  res: http.ServerResponse,
): void {
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    sendJson(res, 400, { error: 'body is not JSON' });
    return;
  }
  if (method === 'POST' && segments.length === 1 && segments[0] === 'companies') {
    createCompany(store, json, res);
    return;
  }
  const [domain] = segments;
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
  companyControl(store, method, domain, segments[1], json, res);
}

function createCompany(store: SimulatorStore, json: unknown, res: http.ServerResponse): void {
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
}

/** `/_control/{domain}/faults` (POST, DELETE) and `/_control/{domain}/state` (GET). */
function companyControl(
  store: SimulatorStore,
  method: string,
  domain: string,
  what: string | undefined,
  json: unknown,
  res: http.ServerResponse,
): void {
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
