// The integration lifecycle: activate (verify, then store the key sealed), check, deactivate, and the
// status changes the sync engine makes when a key stops working. Status changes are announced over
// LISTEN/NOTIFY (ids only) and an admin's are audited (audit-log.ts), in the transaction that makes them.
import { and, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../db/client.js';
import { CHANNELS, notify } from '../db/notify.js';
import type { IntegrationRow } from '../db/queries/rows.js';
import { integrationsTable, syncJobsTable } from '../db/schema.js';
import type { ConnectionStatus, IntegrationProvider, IntegrationStatusCode } from '../domain/types.js';
import { INTEGRATION_PROVIDERS } from '../domain/types.js';
import {
  IntegrationNotConnectedError,
  issuesToFieldErrors,
  PinpointAuthError,
  PinpointUnknownDomainError,
  PinpointUnreachableError,
  ValidationError,
} from '../errors.js';
import { normalizePinpointDomain } from '../pinpoint/domain.js';
import { type AnyPinpointError, isPinpointError } from '../pinpoint/errors.js';
import { openIntegrationKey, sealAad } from '../secrets/integration-key.js';
import { integrationSnapshot, recordAdminChange } from './audit-log.js';
import { type AppContext, requireAdmin, viewerOf } from './context.js';
import { liveStream } from './live.js';
import type { Viewer } from './tokens.js';

export const PROVIDERS = INTEGRATION_PROVIDERS;
export type Provider = IntegrationProvider;

/** What clients see of an integration; a team without a row sees the NOT_CONNECTED default. */
export interface IntegrationView {
  readonly teamId: string;
  readonly provider: Provider;
  readonly name: string;
  readonly description: string;
  readonly status: ConnectionStatus;
  readonly statusCode: IntegrationStatusCode | null;
  readonly statusReason: string | null;
  readonly domain: string | null;
  readonly apiKeyHint: string | null;
  readonly connectedAt: Date | null;
  readonly lastCheckedAt: Date | null;
}

/** The catalog of providers this product can connect; designed to take more than one. */
export const PROVIDER_CATALOG: Readonly<
  Record<Provider, { name: string; description: string; keywords: string[] }>
> = {
  PINPOINT: {
    name: 'Pinpoint',
    description: 'Pinpoint ATS: push campaign contacts as Applications, activity as notes, edits as updates.',
    keywords: ['pinpoint', 'pinpointhq', 'ats', 'applicant tracking'],
  },
};

function toView(teamId: string, provider: Provider, row: IntegrationRow | undefined): IntegrationView {
  const catalog = PROVIDER_CATALOG[provider];
  return {
    teamId,
    provider,
    name: catalog.name,
    description: catalog.description,
    ...integrationSnapshot(row),
  };
}

/** The team's row; `forUpdate` locks it, so the audited "before" is what the change replaces. */
async function findRow(
  db: DbOrTx,
  teamId: string,
  provider: Provider,
  forUpdate = false,
): Promise<IntegrationRow | undefined> {
  const query = db
    .select()
    .from(integrationsTable)
    .where(and(eq(integrationsTable.teamId, teamId), eq(integrationsTable.provider, provider)));
  const rows = forUpdate ? await query.for('update') : await query;
  return rows[0];
}

export async function getIntegration(
  db: DbOrTx,
  teamId: string,
  provider: Provider,
): Promise<IntegrationView> {
  return toView(teamId, provider, await findRow(db, teamId, provider));
}

/** Batch read for DataLoaders: views for several providers of one team, in key order. */
export async function getIntegrations(
  db: DbOrTx,
  teamId: string,
  providers: readonly Provider[],
): Promise<IntegrationView[]> {
  const rows =
    providers.length === 0
      ? []
      : await db
          .select()
          .from(integrationsTable)
          .where(
            and(eq(integrationsTable.teamId, teamId), inArray(integrationsTable.provider, [...providers])),
          );
  const byProvider = new Map(rows.map((r) => [r.provider, r]));
  return providers.map((p) => toView(teamId, p, byProvider.get(p)));
}

export function searchCatalog(search: string | null | undefined): Provider[] {
  const q = search?.trim().toLowerCase() ?? '';
  return PROVIDERS.filter((p) => {
    const entry = PROVIDER_CATALOG[p];
    return q === '' || entry.name.toLowerCase().includes(q) || entry.keywords.some((k) => k.includes(q));
  });
}

const activateInput = z.object({
  apiKey: z
    .string()
    .trim()
    .min(1, 'Enter the API key from Pinpoint (Settings → API & Webhooks → API Keys)')
    .max(512, 'That is too long for a Pinpoint API key')
    .regex(/^[\x21-\x7e]+$/, 'An API key has no spaces or special characters: paste it again'),
  domain: z
    .string()
    .trim()
    .min(1, 'Enter your Pinpoint domain, e.g. "acme" for acme.pinpointhq.com')
    .max(253)
    .transform((value, ctx) => {
      const normalized = normalizePinpointDomain(value);
      if (!normalized) {
        ctx.addIssue({
          code: 'custom',
          message:
            'Enter your Pinpoint domain: "acme", "acme.pinpointhq.com" or "https://acme.pinpointhq.com"',
        });
        return z.NEVER;
      }
      return normalized;
    }),
});

export function apiKeyHint(apiKey: string): string {
  return `••••${apiKey.slice(-4)}`;
}

/** Maps a Pinpoint failure during verification to the typed result the admin sees. */
function activationFailure(
  error: AnyPinpointError,
  domain: string,
): PinpointAuthError | PinpointUnknownDomainError | PinpointUnreachableError {
  switch (error.kind) {
    case 'INVALID_KEY':
      return new PinpointAuthError(
        'INVALID_API_KEY',
        'Pinpoint did not accept this API key. Check you copied the whole key and that it has not been revoked.',
      );
    case 'FORBIDDEN':
      return new PinpointAuthError(
        'FORBIDDEN',
        'Pinpoint refused this API key: it lacks a permission we need or the API is disabled. Give it Jobs read, Applications read+write, Candidates read+write, Comments write and Custom fields read.',
      );
    case 'NOT_FOUND':
      return new PinpointUnknownDomainError(
        domain,
        `No Pinpoint account answers at ${domain}.pinpointhq.com. Check the domain.`,
      );
    case 'NETWORK':
      return error.dnsFailure
        ? new PinpointUnknownDomainError(
            domain,
            `No Pinpoint account answers at ${domain}.pinpointhq.com. Check the domain.`,
          )
        : new PinpointUnreachableError(
            error.timedOut
              ? 'Pinpoint did not answer in time. Try again in a minute.'
              : 'Could not reach Pinpoint. Try again in a minute.',
          );
    case 'RATE_LIMITED':
    case 'SERVER':
    case 'RESPONSE':
    case 'BAD_REQUEST':
    case 'VALIDATION':
      return new PinpointUnreachableError('Pinpoint answered with an error. Try again in a minute.');
    default: {
      const unreachable: never = error;
      return unreachable;
    }
  }
}

/**
 * Verifies the key with one cheap call (bounded by ACTIVATION_TIMEOUT_MS), then stores it sealed.
 * A failed activation changes nothing: an existing working connection stays as it was.
 */
export async function activatePinpoint(
  ctx: AppContext,
  input: { apiKey: string; domain: string },
): Promise<IntegrationView> {
  const viewer = requireAdmin(ctx);
  const parsed = activateInput.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError(
      'Check the API key and domain',
      issuesToFieldErrors(parsed.error.issues, ['input']),
    );
  }
  const { apiKey, domain } = parsed.data;
  const client = ctx.services.pinpointClient({
    domain,
    apiKey,
    timeoutMs: ctx.services.config.pinpoint.activationTimeoutMs,
  });
  try {
    await client.verify();
  } catch (error) {
    if (isPinpointError(error)) {
      ctx.log.info({ domain, kind: error.kind, status: error.status }, 'Pinpoint activation refused');
      throw activationFailure(error, domain);
    }
    throw error;
  }
  return storeVerifiedKey(ctx, viewer, apiKey, domain);
}

/** Stores a key that Pinpoint accepted (first activation, or a rotation) with its audit entry. */
async function storeVerifiedKey(
  ctx: AppContext,
  viewer: Viewer,
  apiKey: string,
  domain: string,
): Promise<IntegrationView> {
  const now = new Date();
  return ctx.db.transaction(async (tx) => {
    // Two first activations at once would both insert; the second waits here and updates instead.
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`integration:${viewer.teamId}`}, 0))`,
    );
    const existing = await findRow(tx, viewer.teamId, 'PINPOINT', true);
    const id = existing?.id ?? crypto.randomUUID();
    const sealed = ctx.services.secretBox.encrypt(apiKey, sealAad(viewer.teamId, id));
    const values = {
      status: 'CONNECTED' as const,
      statusCode: null,
      statusReason: null,
      domain,
      apiKeySealed: sealed,
      apiKeyHint: apiKeyHint(apiKey),
      connectedAt: now,
      lastCheckedAt: now,
      breakerFailures: 0,
      breakerOpenUntil: null,
    };
    const [row] = existing
      ? await tx
          .update(integrationsTable)
          .set({ ...values, keyGeneration: sql`${integrationsTable.keyGeneration} + 1` })
          .where(eq(integrationsTable.id, id))
          .returning()
      : await tx
          .insert(integrationsTable)
          .values({ id, teamId: viewer.teamId, provider: 'PINPOINT', ...values, keyGeneration: 1 })
          .returning();
    await recordAdminChange(tx, viewer, {
      // A stored key (CONNECTED or ERROR) is replaced: a rotation. Otherwise a (re)connection.
      action: existing?.apiKeySealed ? 'API_KEY_ROTATED' : 'INTEGRATION_ACTIVATED',
      provider: 'PINPOINT',
      before: integrationSnapshot(existing),
      after: integrationSnapshot(row),
    });
    await resumePausedJobs(tx, viewer.teamId);
    await notify(tx, CHANNELS.integrationStatus, { teamId: viewer.teamId, provider: 'PINPOINT' });
    return toView(viewer.teamId, 'PINPOINT', row);
  });
}

/** Jobs paused by an auth failure or a deactivation run again once a working key is stored. */
async function resumePausedJobs(tx: DbOrTx, teamId: string): Promise<void> {
  const resumed = await tx
    .update(syncJobsTable)
    .set({ status: 'QUEUED', runAt: new Date(), lastError: null })
    .where(and(eq(syncJobsTable.teamId, teamId), eq(syncJobsTable.status, 'PAUSED')))
    .returning({ id: syncJobsTable.id });
  if (resumed.length > 0) await notify(tx, CHANNELS.syncJobs, { teamId });
}

export async function loadConnectedRow(db: DbOrTx, teamId: string): Promise<IntegrationRow> {
  const row = await findRow(db, teamId, 'PINPOINT');
  if (row?.status !== 'CONNECTED' || !row.apiKeySealed) throw new IntegrationNotConnectedError();
  return row;
}

/** Re-verifies the stored key. Auth failures flip the integration to ERROR; outages only note it. */
export async function checkIntegration(ctx: AppContext, provider: Provider): Promise<IntegrationView> {
  const viewer = requireAdmin(ctx);
  const row = await findRow(ctx.db, viewer.teamId, provider);
  const connection = row ? openIntegrationKey(ctx.services.secretBox, row) : null;
  if (!row || !connection) throw new IntegrationNotConnectedError();
  const now = new Date();
  let change: Partial<IntegrationRow>;
  try {
    await ctx.services
      .pinpointClient({ ...connection, timeoutMs: ctx.services.config.pinpoint.activationTimeoutMs })
      .verify();
    change = { status: 'CONNECTED', statusCode: null, statusReason: null, lastCheckedAt: now };
  } catch (error) {
    if (!isPinpointError(error)) throw error;
    const failure = activationFailure(error, connection.domain);
    change =
      failure instanceof PinpointAuthError
        ? { status: 'ERROR', statusCode: failure.reason, statusReason: failure.message, lastCheckedAt: now }
        : {
            statusCode: 'UNREACHABLE',
            statusReason: `Last check failed: ${failure.message}`,
            lastCheckedAt: now,
          };
  }
  return ctx.db.transaction(async (tx) => {
    // Only if the key checked is still the stored one: a deactivation or a new key saved meanwhile wins.
    const current = await findRow(tx, viewer.teamId, provider, true);
    if (current?.keyGeneration !== row.keyGeneration) return toView(viewer.teamId, provider, current);
    const [updated] = await tx
      .update(integrationsTable)
      .set(change)
      .where(eq(integrationsTable.id, current.id))
      .returning();
    await recordAdminChange(tx, viewer, {
      action: 'INTEGRATION_CHECKED',
      provider,
      before: integrationSnapshot(current),
      after: integrationSnapshot(updated),
    });
    if (change.status === 'CONNECTED' && current.status !== 'CONNECTED')
      await resumePausedJobs(tx, viewer.teamId);
    await notify(tx, CHANNELS.integrationStatus, { teamId: viewer.teamId, provider });
    return toView(viewer.teamId, provider, updated);
  });
}

/** Forgets the key; queued jobs wait (PAUSED) until the team connects again. */
export async function deactivateIntegration(ctx: AppContext, provider: Provider): Promise<IntegrationView> {
  const viewer = requireAdmin(ctx);
  return ctx.db.transaction(async (tx) => {
    const row = await findRow(tx, viewer.teamId, provider, true);
    if (!row || row.status === 'NOT_CONNECTED')
      throw new IntegrationNotConnectedError('Pinpoint is not connected.');
    const [updated] = await tx
      .update(integrationsTable)
      .set({
        status: 'NOT_CONNECTED',
        statusCode: null,
        statusReason: null,
        apiKeySealed: null,
        apiKeyHint: null,
        connectedAt: null,
        keyGeneration: sql`${integrationsTable.keyGeneration} + 1`,
      })
      .where(eq(integrationsTable.id, row.id))
      .returning();
    await tx
      .update(syncJobsTable)
      .set({ status: 'PAUSED', lastError: 'Pinpoint was disconnected' })
      .where(and(eq(syncJobsTable.teamId, viewer.teamId), eq(syncJobsTable.status, 'QUEUED')));
    await recordAdminChange(tx, viewer, {
      action: 'INTEGRATION_DEACTIVATED',
      provider,
      before: integrationSnapshot(row),
      after: integrationSnapshot(updated),
    });
    await notify(tx, CHANNELS.integrationStatus, { teamId: viewer.teamId, provider });
    return toView(viewer.teamId, provider, updated);
  });
}

/** `integrationStatusChanged`: the current state, then the state after every change for this team. */
export async function* integrationStatusStream(
  ctx: AppContext,
  provider: Provider,
): AsyncGenerator<IntegrationView> {
  const { teamId } = viewerOf(ctx);
  const current = () => getIntegration(ctx.db, teamId, provider);
  yield* liveStream(ctx, {
    channel: CHANNELS.integrationStatus,
    filter: (p) => p.teamId === teamId && p.provider === provider,
    snapshot: current,
    load: current,
  });
}
