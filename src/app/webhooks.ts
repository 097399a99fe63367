// Pinpoint webhooks, the receiving side: check a delivery (endpoint, signature, JSON), store it once in
// the inbox and queue an ATS refresh in the same transaction. Nothing here calls Pinpoint, so the
// endpoint answers well inside Pinpoint's 5 seconds whatever Pinpoint's API is doing.
import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.js';
import { CHANNELS, notify } from '../db/notify.js';
import {
  campaignContactsTable,
  integrationsTable,
  syncEventsTable,
  webhookDeliveriesTable,
} from '../db/schema.js';
import type { Logger } from '../logger.js';
import {
  WEBHOOK_DELIVERY_ID_HEADER,
  WEBHOOK_EVENTS,
  WEBHOOK_SIGNATURE_HEADER,
} from '../pinpoint/api-assumptions.js';
import { parsePinpointWebhook, verifyPinpointWebhook } from '../pinpoint/webhooks.js';
import { sealAad } from '../secrets/integration-key.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { enqueueAtsRefresh } from '../sync/ats-jobs.js';

/** Where the endpoints live: `<PUBLIC_URL>/webhooks/pinpoint/<integration's webhook id>`. */
export const PINPOINT_WEBHOOK_PATH = '/webhooks/pinpoint';

/** The associated data of a sealed webhook secret: bound to team and integration, and to its purpose. */
export function webhookSecretAad(teamId: string, integrationId: string): string {
  return `${sealAad(teamId, integrationId)}|webhook-secret`;
}

/** Integrations' webhook ids are 64 lowercase hex characters (see the schema's default). */
const WEBHOOK_ID = /^[0-9a-f]{64}$/;
/** A delivery id header we can use as a dedupe key; anything else falls back to the body's hash. */
const DELIVERY_ID = /^[\w.:-]{1,200}$/;
const KNOWN_EVENTS: ReadonlySet<string> = new Set(Object.values(WEBHOOK_EVENTS));

export interface WebhookDelivery {
  readonly webhookId: string;
  readonly rawBody: Buffer;
  /** The request's header of that name (case-insensitive), if sent. */
  readonly header: (name: string) => string | undefined;
}

export type WebhookReceipt =
  | { readonly status: 404 | 401 | 400; readonly error: string }
  | {
      readonly status: 200;
      /** True when this delivery was already stored (a retry or a replay): nothing was done again. */
      readonly duplicate: boolean;
      readonly outcome: DeliveryOutcome;
    };

export type DeliveryOutcome = 'REFRESH_QUEUED' | 'UNLINKED' | 'IGNORED';

/**
 * Checks and stores one delivery. 404 (unknown endpoint), 401 (no secret set, or a bad signature)
 * and 400 (not a JSON object) write nothing; a verified delivery is stored once per dedupe key.
 */
export async function receivePinpointWebhook(
  deps: { db: Db; secretBox: SecretBox; logger: Logger },
  delivery: WebhookDelivery,
): Promise<WebhookReceipt> {
  if (!WEBHOOK_ID.test(delivery.webhookId)) return { status: 404, error: 'Unknown webhook endpoint.' };
  const [integration] = await deps.db
    .select()
    .from(integrationsTable)
    .where(eq(integrationsTable.webhookId, delivery.webhookId));
  if (!integration) return { status: 404, error: 'Unknown webhook endpoint.' };
  if (!integration.webhookSecretSealed) {
    return { status: 401, error: 'No signing secret is set for this endpoint yet.' };
  }
  const secret = deps.secretBox.decrypt(
    integration.webhookSecretSealed,
    webhookSecretAad(integration.teamId, integration.id),
  );
  if (!verifyPinpointWebhook(secret, delivery.rawBody, delivery.header(WEBHOOK_SIGNATURE_HEADER))) {
    return { status: 401, error: 'Missing or invalid PINPOINT-HMAC-SHA256 signature.' };
  }
  const payload = parsePinpointWebhook(delivery.rawBody);
  if (!payload) return { status: 400, error: 'The body is not a JSON object.' };
  const deliveryId = delivery.header(WEBHOOK_DELIVERY_ID_HEADER);
  const dedupeKey =
    deliveryId && DELIVERY_ID.test(deliveryId)
      ? `id:${deliveryId}`
      : `sha256:${createHash('sha256').update(delivery.rawBody).digest('hex')}`;
  const { teamId } = integration;

  return deps.db.transaction(async (tx) => {
    await tx
      .update(integrationsTable)
      .set({ lastWebhookAt: sql`now()` })
      .where(eq(integrationsTable.id, integration.id));
    const known = KNOWN_EVENTS.has(payload.event) && payload.applicationId !== null;
    const linked =
      known && payload.applicationId
        ? await tx
            .select({ id: campaignContactsTable.id })
            .from(campaignContactsTable)
            .where(
              and(
                eq(campaignContactsTable.teamId, teamId),
                eq(campaignContactsTable.pinpointApplicationId, payload.applicationId),
              ),
            )
            .orderBy(campaignContactsTable.createdAt, campaignContactsTable.id)
            .limit(1)
        : [];
    const outcome: DeliveryOutcome = !known ? 'IGNORED' : linked.length > 0 ? 'REFRESH_QUEUED' : 'UNLINKED';
    const stored = await tx
      .insert(webhookDeliveriesTable)
      .values({
        teamId,
        integrationId: integration.id,
        dedupeKey,
        event: payload.event.slice(0, 200),
        applicationId: payload.applicationId?.slice(0, 200) ?? null,
        body: payload.raw,
        outcome,
      })
      .onConflictDoNothing()
      .returning({ id: webhookDeliveriesTable.id });
    if (stored.length === 0) return { status: 200, duplicate: true, outcome };
    if (outcome === 'REFRESH_QUEUED' && payload.applicationId && linked[0]) {
      await enqueueAtsRefresh(tx, [
        { teamId, applicationId: payload.applicationId, campaignContactId: linked[0].id, source: 'WEBHOOK' },
      ]);
    } else if (outcome === 'IGNORED') {
      await recordIgnored(tx, teamId, payload.event);
    }
    deps.logger.debug({ teamId, event: payload.event, outcome }, 'Pinpoint webhook stored');
    return { status: 200, duplicate: false, outcome };
  });
}

/** A team-level sync event naming the event we do not act on, so an admin can see what arrives. */
async function recordIgnored(tx: DbOrTx, teamId: string, event: string): Promise<void> {
  const name = event === '' ? '(no event name)' : `“${event.slice(0, 100)}”`;
  const [row] = await tx
    .insert(syncEventsTable)
    .values({
      teamId,
      kind: 'ATS_EVENT_IGNORED',
      message: `Pinpoint sent the webhook event ${name}, which this product does not act on; it was stored and ignored.`,
    })
    .returning({ id: syncEventsTable.id });
  await notify(tx, CHANNELS.syncEvent, { teamId, campaignId: null, id: row!.id });
}
