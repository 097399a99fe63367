// The admin's side of Pinpoint webhooks: the endpoint URL to paste into Pinpoint, the signing secret
// (stored sealed, shown only as a hint) and whether deliveries arrive.
import { createContextCache } from '@pothos/core';
import { and, eq, gt, isNotNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../db/client.js';
import { CHANNELS, notify } from '../db/notify.js';
import { campaignContactsTable, integrationsTable } from '../db/schema.js';
import { webhookStatusOf } from '../domain/ats.js';
import type { WebhookStatus } from '../domain/types.js';
import { IntegrationNotConnectedError, issuesToFieldErrors, ValidationError } from '../errors.js';
import type { Services } from '../services.js';
import { recordAdminChange, webhookSecretSnapshot } from './audit-log.js';
import { type AppContext, requireAdmin } from './context.js';
import { getIntegration, type IntegrationView } from './integrations.js';
import { PINPOINT_WEBHOOK_PATH, webhookSecretAad } from './webhooks.js';

export interface WebhookInfo {
  /** Null until the team has an integration (the id is created with it). */
  readonly webhookUrl: string | null;
  readonly secretHint: string | null;
  readonly lastWebhookAt: Date | null;
  readonly status: WebhookStatus;
}

const secretInput = z
  .string()
  .trim()
  .min(1, 'Paste the signing secret Pinpoint shows for this webhook')
  .max(512, 'That is too long for a signing secret')
  .regex(/^[\x21-\x7e]+$/, 'A signing secret has no spaces or special characters: paste it again');

export function webhookSecretHint(secret: string): string {
  return `••••${secret.slice(-4)}`;
}

/** Stores Pinpoint's signing secret sealed (AAD: team, integration, purpose), audited. Admins only. */
export async function setPinpointWebhookSecret(ctx: AppContext, secret: string): Promise<IntegrationView> {
  const viewer = requireAdmin(ctx);
  const parsed = secretInput.safeParse(secret);
  if (!parsed.success) {
    throw new ValidationError(
      'Check the signing secret',
      issuesToFieldErrors(parsed.error.issues, ['secret']),
    );
  }
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .select({
        id: integrationsTable.id,
        webhookSecretHint: integrationsTable.webhookSecretHint,
        webhookSecretSetAt: integrationsTable.webhookSecretSetAt,
      })
      .from(integrationsTable)
      .where(and(eq(integrationsTable.teamId, viewer.teamId), eq(integrationsTable.provider, 'PINPOINT')))
      .for('update');
    if (!row) {
      throw new IntegrationNotConnectedError(
        'Activate Pinpoint first: the webhook endpoint is created with the integration.',
      );
    }
    const [updated] = await tx
      .update(integrationsTable)
      .set({
        webhookSecretSealed: ctx.services.secretBox.encrypt(
          parsed.data,
          webhookSecretAad(viewer.teamId, row.id),
        ),
        webhookSecretHint: webhookSecretHint(parsed.data),
        webhookSecretSetAt: sql`now()`,
      })
      .where(eq(integrationsTable.id, row.id))
      .returning({
        webhookSecretHint: integrationsTable.webhookSecretHint,
        webhookSecretSetAt: integrationsTable.webhookSecretSetAt,
      });
    await recordAdminChange(tx, viewer, {
      action: row.webhookSecretSetAt ? 'WEBHOOK_SECRET_ROTATED' : 'WEBHOOK_SECRET_SET',
      provider: 'PINPOINT',
      before: webhookSecretSnapshot(row),
      after: webhookSecretSnapshot(updated ?? row),
    });
    await notify(tx, CHANNELS.integrationStatus, { teamId: viewer.teamId, provider: 'PINPOINT' });
    return getIntegration(tx, viewer.teamId, 'PINPOINT');
  });
}

/** The webhook state of a team's Pinpoint integration; at most two short queries. */
export async function loadWebhookInfo(db: DbOrTx, services: Services, teamId: string): Promise<WebhookInfo> {
  const [row] = await db
    .select({
      webhookId: integrationsTable.webhookId,
      secretHint: integrationsTable.webhookSecretHint,
      secretSetAt: integrationsTable.webhookSecretSetAt,
      lastWebhookAt: integrationsTable.lastWebhookAt,
    })
    .from(integrationsTable)
    .where(and(eq(integrationsTable.teamId, teamId), eq(integrationsTable.provider, 'PINPOINT')));
  if (!row) return { webhookUrl: null, secretHint: null, lastWebhookAt: null, status: 'NOT_CONFIGURED' };
  const { ats, publicUrl } = services.config;
  const now = new Date();
  // Only asked when the answer matters: a configured endpoint that has not heard anything lately.
  const mayBeSilent =
    row.secretSetAt !== null &&
    !(row.lastWebhookAt && now.getTime() - row.lastWebhookAt.getTime() < ats.webhookSilentAfterMs);
  const since = new Date(now.getTime() - ats.reconcileWindowDays * 86_400_000);
  const linked = mayBeSilent
    ? await db
        .select({ id: campaignContactsTable.id })
        .from(campaignContactsTable)
        .where(
          and(
            eq(campaignContactsTable.teamId, teamId),
            isNotNull(campaignContactsTable.pinpointApplicationId),
            gt(campaignContactsTable.pinpointSyncedAt, since),
          ),
        )
        .limit(1)
    : [];
  return {
    webhookUrl: `${publicUrl}${PINPOINT_WEBHOOK_PATH}/${row.webhookId}`,
    secretHint: row.secretHint,
    lastWebhookAt: row.lastWebhookAt,
    status: webhookStatusOf({
      secretSetAt: row.secretSetAt,
      lastWebhookAt: row.lastWebhookAt,
      hasLinkedContacts: linked.length > 0,
      now,
      silentAfterMs: ats.webhookSilentAfterMs,
    }),
  };
}

/** Per request, one load per team however many Integration fields ask. */
const webhookInfoCache = createContextCache(() => new Map<string, Promise<WebhookInfo>>());

export function webhookInfoFor(ctx: AppContext, teamId: string): Promise<WebhookInfo> {
  const cache = webhookInfoCache(ctx);
  let info = cache.get(teamId);
  if (!info) {
    info = loadWebhookInfo(ctx.db, ctx.services, teamId);
    cache.set(teamId, info);
  }
  return info;
}
