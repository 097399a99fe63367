// `/_control/{domain}/webhook...` and `/_control/{domain}/applications/{id}/...`: configure the
// company's webhook and its faults, and change applications the way a Pinpoint user would.
import { z } from 'zod';
import type { SimulatorStore } from './store.js';
import type { WebhookDispatcher } from './webhooks.js';

export interface ControlAnswer {
  status: number;
  body?: unknown;
}

const counted = z
  .object({ count: z.number().int().min(0) })
  .strict()
  .optional();
const webhookFaultsSchema = z.object({ drop: counted, duplicate: counted, outOfOrder: counted }).strict();

const webhookSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    secret: z.string().min(1),
    timeoutMs: z.number().int().min(1).max(60_000).optional(),
    maxAttempts: z.number().int().min(1).max(50).optional(),
    backoffBaseMs: z.number().int().min(0).optional(),
    sendDeliveryId: z.boolean().optional(),
  })
  .strict();

const stageSchema = z
  .object({ stageId: z.string().min(1).optional(), stageName: z.string().min(1).optional() })
  .strict()
  .refine((s) => (s.stageId === undefined) !== (s.stageName === undefined), 'give stageId or stageName');

function invalid(error: z.ZodError): ControlAnswer {
  return { status: 400, body: { error: z.prettifyError(error) } };
}

/** Null when the route is not one of these. */
export function handleWebhookControl(
  store: SimulatorStore,
  dispatcher: WebhookDispatcher,
  method: string,
  domain: string,
  segments: readonly string[],
  json: unknown,
): ControlAnswer | null {
  const route = `${method} ${segments.join('/')}`;
  const company = store.company(domain);
  if (!company) return null;
  switch (route) {
    case 'POST webhook': {
      const parsed = webhookSchema.safeParse(json);
      if (!parsed.success) return invalid(parsed.error);
      store.configureWebhook(domain, parsed.data);
      return { status: 200, body: { webhook: { ...company.webhooks.config, secret: undefined } } };
    }
    case 'DELETE webhook':
      store.removeWebhook(domain);
      return { status: 204 };
    case 'POST webhook/faults': {
      const parsed = webhookFaultsSchema.safeParse(json ?? {});
      if (!parsed.success) return invalid(parsed.error);
      store.setWebhookFaults(domain, parsed.data);
      return { status: 200, body: { faults: parsed.data } };
    }
    case 'DELETE webhook/faults':
      store.setWebhookFaults(domain, {});
      return { status: 204 };
    case 'POST webhook/release':
      return { status: 200, body: { released: dispatcher.release(company.webhooks) } };
    case 'GET webhook/deliveries':
      return { status: 200, body: { deliveries: company.webhooks.deliveries } };
    default:
      return segments[0] === 'applications' && segments.length === 3
        ? changeApplication(store, method, domain, segments[1] ?? '', segments[2] ?? '', json)
        : null;
  }
}

function changeApplication(
  store: SimulatorStore,
  method: string,
  domain: string,
  applicationId: string,
  action: string,
  json: unknown,
): ControlAnswer | null {
  if (method !== 'POST') return null;
  if (!store.listApplications(domain).some((a) => a.id === applicationId)) {
    return { status: 404, body: { error: `no application ${applicationId}` } };
  }
  let changed: ReturnType<SimulatorStore['hireApplication']>;
  try {
    if (action === 'stage') {
      const parsed = stageSchema.safeParse(json);
      if (!parsed.success) return invalid(parsed.error);
      changed = store.moveApplication(domain, applicationId, {
        id: parsed.data.stageId,
        name: parsed.data.stageName,
      });
    } else if (action === 'hire') changed = store.hireApplication(domain, applicationId);
    else if (action === 'reject') changed = store.rejectApplication(domain, applicationId);
    else if (action === 'withdraw') changed = store.withdrawApplication(domain, applicationId);
    else return null;
  } catch (error) {
    return { status: 422, body: { error: (error as Error).message } };
  }
  const { id, stageId, jobId, outcome, updatedAt } = changed;
  return { status: 200, body: { application: { id, jobId, stageId, outcome, updatedAt } } };
}
