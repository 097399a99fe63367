// Campaign contacts: bulk add (set-based upsert of contacts, no duplicates), the per-person override
// from the Chrome extension, and the resolved view of one contact in one campaign (effective sync,
// missing mandatory fields, Pinpoint link), batched through the request's loaders.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { contactDataOf, effectiveSyncOf, overrideOf } from '../db/queries/mappers.js';
import { campaignContactsTable, contactsTable } from '../db/schema.js';
import { missingMandatoryFields } from '../domain/settings.js';
import type { ContactVariable, EffectiveSync, FieldValue, SyncAs, SyncOptions } from '../domain/types.js';
import { type FieldIssue, NotFoundError, ValidationError } from '../errors.js';
import {
  assertMayChangeOptions,
  type FieldValueInput,
  normalizeOptions,
  ownerOf,
  type SyncOptionsInput,
  validateFieldValues,
} from './campaigns.js';
import {
  CONTACT_FIELD_NAMES,
  type ContactField,
  changedVariables,
  enqueueContactEdits,
  parseContact,
  type ValidContact,
} from './contacts.js';
import { type AppContext, viewerOf } from './context.js';
import { uuidsOnly } from './identity.js';
import {
  type CampaignContactRow,
  type CampaignRow,
  type ContactRow,
  type Loaders,
  loadersOf,
  type Page,
  type PageArgs,
  primeRows,
} from './loaders.js';
import { enqueueAndMarkPending } from './sync.js';

export const MAX_CONTACTS_PER_CALL = 500;

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
  ctx: AppContext,
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
  ctx: AppContext,
  campaignId: string,
  page: PageArgs,
): Promise<Page<CampaignContactRow>> {
  return loadersOf(ctx).campaignContactPages.load({ campaignId, page });
}

export function countCampaignContacts(ctx: AppContext, campaignId: string): Promise<number> {
  return loadersOf(ctx).campaignContactCounts.load(campaignId);
}

async function loadCampaignContact(ctx: AppContext, id: string): Promise<CampaignContactRow> {
  const row = uuidsOnly([id]).length > 0 ? await loadersOf(ctx).campaignContacts.load(id) : null;
  if (!row) throw new NotFoundError('No campaign contact with this id in your team.');
  return row;
}

// ── Adding contacts ────────────────────────────────────────────────────────────────────────────────

export interface AddContactsResult {
  readonly campaign: CampaignRow;
  /** One per distinct email of the input, in input order (existing ones included). */
  readonly campaignContacts: readonly CampaignContactRow[];
}

const WRITABLE_FIELDS = CONTACT_FIELD_NAMES.filter((f): f is Exclude<ContactField, 'email'> => f !== 'email');

/**
 * Adds up to 500 contacts to a campaign (any team member may). All-or-nothing: one invalid row refuses
 * the call, naming every bad row (`['contacts', '<index>', '<field>']`). Contacts are matched by email,
 * case-insensitively, within the team: an existing contact gets the non-empty fields given here (the
 * latest data wins; empty fields never erase), and a changed contact's other campaigns get a
 * CONTACT_EDITED job. A contact already in the campaign is not added twice. Newly added campaign
 * contacts get an ADDED job. One transaction, a fixed number of statements whatever the size.
 */
export async function addContactsToCampaign(
  ctx: AppContext,
  campaignId: string,
  inputs: readonly unknown[],
): Promise<AddContactsResult> {
  const { teamId } = viewerOf(ctx);
  const loaders = loadersOf(ctx);
  const campaign = uuidsOnly([campaignId]).length > 0 ? await loaders.campaigns.load(campaignId) : null;
  if (!campaign) throw new NotFoundError('No campaign with this id in your team.');

  if (inputs.length > MAX_CONTACTS_PER_CALL) {
    throw new ValidationError(`Add at most ${MAX_CONTACTS_PER_CALL} contacts per call; nothing was added.`, [
      {
        path: ['contacts'],
        message: `At most ${MAX_CONTACTS_PER_CALL} contacts per call (got ${inputs.length})`,
      },
    ]);
  }
  const issues: FieldIssue[] = [];
  // Same email twice in one call: one contact, later non-empty fields win.
  const byEmail = new Map<string, ValidContact>();
  inputs.forEach((input, index) => {
    const { contact, issues: rowIssues } = parseContact(input, ['contacts', String(index)]);
    issues.push(...rowIssues);
    if (!contact) return;
    const key = contact.email.toLowerCase();
    const earlier = byEmail.get(key);
    byEmail.set(key, earlier ? mergeContact(earlier, contact) : contact);
  });
  if (issues.length > 0) {
    const rows = new Set(issues.map((i) => i.path[1])).size;
    throw new ValidationError(`${rows} contact(s) are invalid; nothing was added.`, issues);
  }
  if (byEmail.size === 0) return { campaign, campaignContacts: [] };

  const result = await ctx.db.transaction(async (tx) => {
    const contacts = await upsertContacts(tx, teamId, byEmail);
    const contactIds = [...byEmail.keys()].map((key) => {
      const row = contacts.get(key);
      if (!row) throw new Error('upserted contact missing');
      return row.id;
    });
    const added = await tx
      .insert(campaignContactsTable)
      .values(contactIds.map((contactId) => ({ teamId, campaignId: campaign.id, contactId })))
      .onConflictDoNothing({ target: [campaignContactsTable.campaignId, campaignContactsTable.contactId] })
      .returning({ id: campaignContactsTable.id });
    await enqueueAndMarkPending(
      tx,
      teamId,
      added.map((row) => ({ campaignContactId: row.id, event: { kind: 'ADDED' } })),
    );
    const links = await tx
      .select()
      .from(campaignContactsTable)
      .where(
        and(
          eq(campaignContactsTable.teamId, teamId),
          eq(campaignContactsTable.campaignId, campaign.id),
          inArray(campaignContactsTable.contactId, contactIds),
        ),
      );
    const byContact = new Map(links.map((link) => [link.contactId, link]));
    return {
      contacts: [...contacts.values()],
      campaignContacts: contactIds.flatMap((id) => byContact.get(id) ?? []),
    };
  });
  primeRows(loaders.contacts, result.contacts);
  primeRows(loaders.campaignContacts, result.campaignContacts);
  return { campaign, campaignContacts: result.campaignContacts };
}

function mergeContact(earlier: ValidContact, later: ValidContact): ValidContact {
  const merged: ValidContact = { ...earlier };
  for (const field of WRITABLE_FIELDS) {
    const value = later[field];
    if (value !== null && value !== undefined) merged[field] = value;
  }
  return merged;
}

/**
 * Inserts new contacts and updates existing ones (matched by lower(email)) with set-based statements;
 * returns every contact by lower-cased email. Updated contacts' other campaigns get CONTACT_EDITED jobs.
 */
async function upsertContacts(
  tx: DbOrTx,
  teamId: string,
  byEmail: ReadonlyMap<string, ValidContact>,
): Promise<Map<string, ContactRow>> {
  const emails = [...byEmail.keys()];
  const lowerEmail = sql<string>`lower(${contactsTable.email})`;
  const findExisting = (keys: readonly string[]) =>
    tx
      .select()
      .from(contactsTable)
      .where(and(eq(contactsTable.teamId, teamId), inArray(lowerEmail, [...keys])));
  const found = new Map((await findExisting(emails)).map((row) => [row.email.toLowerCase(), row]));

  const fresh = emails.filter((key) => !found.has(key));
  const existing = new Map(found);
  const result = new Map<string, ContactRow>();
  if (fresh.length > 0) {
    const inserted = await tx
      .insert(contactsTable)
      .values(fresh.map((key) => ({ ...valuesOf(byEmail.get(key)), teamId })))
      .onConflictDoNothing()
      .returning();
    for (const row of inserted) result.set(row.email.toLowerCase(), row);
    // Another transaction inserted some of these emails meanwhile: treat them as existing.
    const raced = fresh.filter((key) => !result.has(key));
    if (raced.length > 0)
      for (const row of await findExisting(raced)) existing.set(row.email.toLowerCase(), row);
  }

  const edits = new Map<string, ContactVariable[]>();
  const updates: ContactRow[] = [];
  for (const [key, row] of existing) {
    const given = byEmail.get(key);
    const next: Partial<Record<Exclude<ContactField, 'email'>, string>> = {};
    for (const field of WRITABLE_FIELDS) {
      const value = given?.[field];
      if (value !== null && value !== undefined) next[field] = value;
    }
    const changed = changedVariables(row, next);
    if (changed.length === 0) {
      result.set(key, row);
      continue;
    }
    edits.set(row.id, changed);
    updates.push({ ...row, ...next });
  }
  if (updates.length > 0) {
    // One multi-row statement: an upsert on the primary key of rows that all exist is an update.
    const excluded = (column: string) => sql.raw(`excluded.${column}`);
    const updated = await tx
      .insert(contactsTable)
      .values(updates.map((row) => ({ ...row, updatedAt: new Date() })))
      .onConflictDoUpdate({
        target: contactsTable.id,
        set: {
          firstName: excluded('first_name'),
          lastName: excluded('last_name'),
          phone: excluded('phone'),
          company: excluded('company'),
          jobTitle: excluded('job_title'),
          location: excluded('location'),
          linkedinUrl: excluded('linkedin_url'),
          updatedAt: excluded('updated_at'),
        },
        setWhere: eq(contactsTable.teamId, teamId),
      })
      .returning();
    for (const row of updated) result.set(row.email.toLowerCase(), row);
    await enqueueContactEdits(tx, teamId, edits);
  }
  return result;
}

function valuesOf(contact: ValidContact | undefined) {
  if (!contact) throw new Error('contact input missing');
  return {
    email: contact.email,
    firstName: contact.firstName ?? null,
    lastName: contact.lastName ?? null,
    phone: contact.phone ?? null,
    company: contact.company ?? null,
    jobTitle: contact.jobTitle ?? null,
    location: contact.location ?? null,
    linkedinUrl: contact.linkedinUrl ?? null,
  };
}

// ── Per-person override ────────────────────────────────────────────────────────────────────────────

export interface SyncOverrideChange {
  syncAs?: SyncAs | null;
  options?: SyncOptionsInput | null;
  fieldValues?: readonly FieldValueInput[] | null;
}

async function saveOverride(
  ctx: AppContext,
  row: CampaignContactRow,
  next: {
    overrideSyncAs: SyncAs | null;
    overrideOptions: SyncOptions | null;
    overrideOptionsSetByAdmin: boolean;
    overrideFieldValues: FieldValue[] | null;
  },
): Promise<CampaignContactRow> {
  const { teamId } = viewerOf(ctx);
  const empty =
    next.overrideSyncAs === null && next.overrideOptions === null && next.overrideFieldValues === null;
  const updated = await ctx.db.transaction(async (tx) => {
    const [saved] = await tx
      .update(campaignContactsTable)
      .set({
        ...next,
        overrideOptions: next.overrideOptions as Record<string, unknown> | null,
        overrideOptionsSetByAdmin: empty ? false : next.overrideOptionsSetByAdmin,
        overrideUpdatedAt: empty ? null : new Date(),
      })
      .where(and(eq(campaignContactsTable.id, row.id), eq(campaignContactsTable.teamId, teamId)))
      .returning();
    if (saved) {
      const pending = await enqueueAndMarkPending(tx, teamId, [
        { campaignContactId: saved.id, event: { kind: 'SETTINGS_CHANGED' } },
      ]);
      if (pending.has(saved.id)) saved.syncStatus = 'PENDING';
    }
    return saved;
  });
  if (!updated) throw new NotFoundError('No campaign contact with this id in your team.');
  primeRows(loadersOf(ctx).campaignContacts, [updated]);
  return updated;
}

/**
 * Sets the per-person override of one contact in one campaign (any team member may). Absent keys keep
 * the override's current value; null clears that part (`syncAs`/`options` inherit from the campaign,
 * `fieldValues` null or [] = no own tags); an override with nothing left is removed. Tags merge over the
 * campaign's by field. While the team is locked, members may change Sync as and tags but not options.
 */
export async function setSyncOverride(
  ctx: AppContext,
  campaignContactId: string,
  input: SyncOverrideChange,
): Promise<CampaignContactRow> {
  const viewer = viewerOf(ctx);
  const isAdmin = viewer.role === 'ADMIN';
  const row = await loadCampaignContact(ctx, campaignContactId);

  const issues: FieldIssue[] = [];
  let options: SyncOptions | null | undefined;
  try {
    options = input.options === undefined ? undefined : normalizeOptions(input.options);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    issues.push(...error.fieldErrors.map((e) => ({ ...e, path: ['input', 'options', ...e.path] })));
  }
  const tags =
    input.fieldValues === undefined || input.fieldValues === null
      ? null
      : validateFieldValues(input.fieldValues, ['input', 'fieldValues']);
  issues.push(...(tags?.issues ?? []));
  if (issues.length > 0) throw new ValidationError('Invalid override; nothing was saved.', issues);

  const { settings } = await loadersOf(ctx).teamSettings();
  const current = overrideOf(row);
  assertMayChangeOptions(settings.lockedForMembers, isAdmin, options, {
    options: current?.options ?? null,
    setByAdmin: row.overrideOptionsSetByAdmin,
  });

  const fieldValues =
    input.fieldValues === undefined ? (current?.fieldValues ?? []) : (tags?.fieldValues ?? []);
  return saveOverride(ctx, row, {
    overrideSyncAs: input.syncAs === undefined ? (current?.syncAs ?? null) : input.syncAs,
    overrideOptions: options === undefined ? (current?.options ?? null) : options,
    overrideOptionsSetByAdmin: options === undefined ? row.overrideOptionsSetByAdmin : isAdmin,
    overrideFieldValues: fieldValues.length > 0 ? [...fieldValues] : null,
  });
}

/**
 * Removes the per-person override (any team member may), so the campaign's settings apply again.
 * While the team is locked, a member cannot remove options an admin set (SettingsLockedError).
 */
export async function clearSyncOverride(
  ctx: AppContext,
  campaignContactId: string,
): Promise<CampaignContactRow> {
  const viewer = viewerOf(ctx);
  const row = await loadCampaignContact(ctx, campaignContactId);
  const current = overrideOf(row);
  if (!current) return row;
  const { settings } = await loadersOf(ctx).teamSettings();
  assertMayChangeOptions(settings.lockedForMembers, viewer.role === 'ADMIN', null, {
    options: current.options,
    setByAdmin: row.overrideOptionsSetByAdmin,
  });
  return saveOverride(ctx, row, {
    overrideSyncAs: null,
    overrideOptions: null,
    overrideOptionsSetByAdmin: false,
    overrideFieldValues: null,
  });
}
