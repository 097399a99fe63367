import { contactDataOf, effectiveSyncOf } from '../db/queries/mappers.js';
import { missingMandatoryFields } from '../domain/settings.js';
import type { EffectiveSync } from '../domain/types.js';
import { NotFoundError } from '../errors.js';
import { ownerOf } from './campaigns.js';
import type { AppContext as Context } from './context.js';
import { uuidsOnly } from './identity.js';
import {
  type CampaignContactRow,
  type CampaignRow,
  type ContactRow,
  type Loaders,
  loadersOf,
  type Page,
  type PageArgs,
} from './loaders.js';

// ── Reading ────────────────────────────────────────────────────────────────────────────────────────

export { overrideOf, type SyncOverrideView } from '../db/queries/mappers.js';

async function campaignOf(loaders: Loaders, row: CampaignContactRow): Promise<CampaignRow> {
  const campaign = await loaders.campaigns.load(row.campaignId);
  if (!campaign) throw new Error(`campaign ${row.campaignId} of campaign contact ${row.id} not found`);
  return campaign;
}

async function contactOf(loaders: Loaders, row: CampaignContactRow): Promise<ContactRow> {
  const contact = await loaders.contacts.load(row.contactId);
  if (!contact) throw new Error(`contact ${row.contactId} of campaign contact ${row.id} not found`);
  return contact;
}

// Resolved once per row and loader set: `effectiveSync` and `missingMandatoryFields` share it.
const resolved = new WeakMap<Loaders, WeakMap<CampaignContactRow, Promise<EffectiveSync>>>();

/** Person override > campaign > owner's personal defaults > team defaults, with the lock applied. */
export function campaignContactEffectiveSync(
  loaders: Loaders,
  row: CampaignContactRow,
): Promise<EffectiveSync> {
  let byRow = resolved.get(loaders);
  if (!byRow) {
    byRow = new WeakMap();
    resolved.set(loaders, byRow);
  }
  let effective = byRow.get(row);
  if (!effective) {
    effective = resolveForRow(loaders, row);
    byRow.set(row, effective);
  }
  return effective;
}

async function resolveForRow(loaders: Loaders, row: CampaignContactRow): Promise<EffectiveSync> {
  const campaign = await campaignOf(loaders, row);
  const [team, owner] = await Promise.all([loaders.teamSettings(), ownerOf(loaders, campaign.ownerId)]);
  return effectiveSyncOf(team.settings, owner, campaign, row);
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
