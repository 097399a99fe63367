import { contactDataOf, effectiveSyncOf } from '../db/queries/mappers.js';
import { missingMandatoryFields } from '../domain/settings.js';
import type { EffectiveSync } from '../domain/types.js';
import { NotFoundError } from '../errors.js';
import { ownerOf } from './campaigns.js';
import type { AppContext as Context } from './context.js';
import { uuidsOnly } from './identity.js';
import {
  type CampaignContactRow,
  type ContactRow,
  type Loaders,
  loadersOf,
  type Page,
  type PageArgs,
} from './loaders.js';

// ── Reading ────────────────────────────────────────────────────────────────────────────────────────

export { overrideOf, type SyncOverrideView } from '../db/queries/mappers.js';

async function contactOf(loaders: Loaders, row: CampaignContactRow): Promise<ContactRow> {
  const contact = await loaders.contacts.load(row.contactId);
  if (!contact) throw new Error(`contact ${row.contactId} of campaign contact ${row.id} not found`);
  return contact;
}

// Resolved once per row and loader set: `effectiveSync` and `missingMandatoryFields` share it.
const resolved = new WeakMap<Loaders, WeakMap<CampaignContactRow, EffectiveSync | Promise<EffectiveSync>>>();

/**
 * Person override > campaign > owner's personal defaults > team defaults, with the lock applied. A
 * value, not a promise, once the row's campaign has been resolved (every row after the first).
 */
export function campaignContactEffectiveSync(
  loaders: Loaders,
  row: CampaignContactRow,
): EffectiveSync | Promise<EffectiveSync> {
  const byRow = perLoaders(resolved, loaders, () => new WeakMap());
  let effective = byRow.get(row);
  if (!effective) {
    const resolver = resolverOf(loaders, row.campaignId);
    effective = typeof resolver === 'function' ? resolver(row) : resolver.then((resolve) => resolve(row));
    byRow.set(row, effective);
  }
  return effective;
}

type RowResolver = (row: CampaignContactRow) => EffectiveSync;

/** The request's (loader set's) entry of a per-request cache, made on first use. */
function perLoaders<T>(caches: WeakMap<Loaders, T>, loaders: Loaders, make: () => T): T {
  let cache = caches.get(loaders);
  if (cache === undefined) {
    cache = make();
    caches.set(loaders, cache);
  }
  return cache;
}

// One resolver per campaign and loader set: the campaign, its owner and the team are awaited once for
// all of the campaign's rows, and rows without an override (most) share the campaign's result. Once
// it is ready, the function itself replaces the promise.
const resolvers = new WeakMap<Loaders, Map<string, RowResolver | Promise<RowResolver>>>();

function resolverOf(loaders: Loaders, campaignId: string): RowResolver | Promise<RowResolver> {
  const byCampaign = perLoaders(resolvers, loaders, () => new Map());
  let resolver = byCampaign.get(campaignId);
  if (!resolver) {
    const ready = campaignResolver(loaders, campaignId);
    void ready.then(
      (resolve) => byCampaign.set(campaignId, resolve),
      () => {},
    );
    resolver = ready;
    byCampaign.set(campaignId, resolver);
  }
  return resolver;
}

async function campaignResolver(loaders: Loaders, campaignId: string): Promise<RowResolver> {
  const campaign = await loaders.campaigns.load(campaignId);
  if (!campaign) throw new Error(`campaign ${campaignId} of a campaign contact not found`);
  const [team, owner] = await Promise.all([loaders.teamSettings(), ownerOf(loaders, campaign.ownerId)]);
  let withoutOverride: EffectiveSync | undefined;
  return (row) => {
    if (row.overrideUpdatedAt) return effectiveSyncOf(team.settings, owner, campaign, row);
    withoutOverride ??= effectiveSyncOf(team.settings, owner, campaign, row);
    return withoutOverride;
  };
}

/** The fields a push would lack now (team mandatory fields, effective tags, contact data, mappings). */
export async function campaignContactMissingFields(
  loaders: Loaders,
  row: CampaignContactRow,
): Promise<string[]> {
  const [effective, contact, team] = await Promise.all([
    campaignContactEffectiveSync(loaders, row),
    contactOf(loaders, row),
    loaders.teamSettings(),
  ]);
  return missingMandatoryFields({
    mandatoryFields: effective.mandatoryFields,
    fieldValues: effective.fieldValues,
    contact: contactDataOf(contact),
    mappings: team.fieldMappings,
  });
}

/**
 * A link to the application in Pinpoint's web app. Pinpoint does not document its admin URLs, so this
 * is a best effort (`<base>/admin/applications/<id>`); null until an application exists.
 */
export function pinpointApplicationUrl(
  baseUrlTemplate: string,
  domain: string | null,
  applicationId: string | null,
): string | null {
  if (!domain || !applicationId) return null;
  const base = baseUrlTemplate.replaceAll('{domain}', domain).replace(/\/+$/, '');
  return `${base}/admin/applications/${encodeURIComponent(applicationId)}`;
}

export async function campaignContactPinpointUrl(
  ctx: Context,
  row: CampaignContactRow,
): Promise<string | null> {
  if (!row.pinpointApplicationId) return null;
  const domain = await loadersOf(ctx).pinpointDomain();
  return pinpointApplicationUrl(
    ctx.services.config.pinpoint.baseUrlTemplate,
    domain,
    row.pinpointApplicationId,
  );
}

/** A page of a campaign's contacts (oldest first), batched across campaigns through the loaders. */
export function campaignContactsPage(
  ctx: Context,
  campaignId: string,
  page: PageArgs,
): Promise<Page<CampaignContactRow>> {
  return loadersOf(ctx).campaignContactPages.load({ campaignId, page });
}

export function countCampaignContacts(ctx: Context, campaignId: string): Promise<number> {
  return loadersOf(ctx).campaignContactCounts.load(campaignId);
}

export async function loadCampaignContact(ctx: Context, id: string): Promise<CampaignContactRow> {
  const row = uuidsOnly([id]).length > 0 ? await loadersOf(ctx).campaignContacts.load(id) : null;
  if (!row) throw new NotFoundError('No campaign contact with this id in your team.');
  return row;
}
