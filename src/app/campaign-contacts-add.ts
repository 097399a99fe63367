// Bulk add of contacts to a campaign: a set-based upsert of contacts by email (no duplicates), in one
// transaction with a fixed number of statements whatever the size.
import { and, eq, sql } from 'drizzle-orm';
import { insertJsonRows, inTextList, inUuidList, rowFromJson } from '../db/bulk.js';
import type { DbOrTx } from '../db/client.js';
import { rowsOf } from '../db/named.js';
import { campaignContactsTable, contactsTable } from '../db/schema.js';
import type { ContactVariable } from '../domain/types.js';
import { type FieldIssue, NotFoundError, ValidationError } from '../errors.js';
import {
  CONTACT_FIELD_NAMES,
  type ContactField,
  changedVariables,
  enqueueContactEdits,
  parseContact,
  type ValidContact,
} from './contacts.js';
import { type AppContext as Context, viewerOf } from './context.js';
import { uuidsOnly } from './identity.js';
import {
  type CampaignContactRow,
  type CampaignRow,
  type ContactRow,
  loadersOf,
  primeRows,
} from './loaders.js';
import { enqueueAndMarkPending } from './sync.js';

export const MAX_CONTACTS_PER_CALL = 500;

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
  ctx: Context,
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
    const cc = campaignContactsTable;
    const added = rowsOf<{ id: string }>(
      await tx.execute(sql`${insertJsonRows(
        cc,
        contactIds.map((contactId) => ({ contactId })),
        { contactId: cc.contactId },
        [
          [cc.teamId, sql`${teamId}::uuid`],
          [cc.campaignId, sql`${campaign.id}::uuid`],
        ],
      )}
        on conflict (campaign_id, contact_id) do nothing returning id`),
    );
    await enqueueAndMarkPending(
      tx,
      teamId,
      added.map((row) => ({ campaignContactId: row.id, event: { kind: 'ADDED' } })),
    );
    const links = await tx
      .select()
      .from(cc)
      .where(
        and(eq(cc.teamId, teamId), eq(cc.campaignId, campaign.id), inUuidList(cc.contactId, contactIds)),
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
      .where(and(eq(contactsTable.teamId, teamId), inTextList(lowerEmail, keys)));
  const found = new Map((await findExisting(emails)).map((row) => [row.email.toLowerCase(), row]));

  const fresh = emails.filter((key) => !found.has(key));
  const existing = new Map(found);
  const result = new Map<string, ContactRow>();
  if (fresh.length > 0) {
    const inserted = await insertContacts(
      tx,
      teamId,
      fresh.map((key) => valuesOf(byEmail.get(key))),
    );
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

/** Inserts new contacts (a contact whose email another transaction just took is skipped); answers the rows. */
async function insertContacts(
  tx: DbOrTx,
  teamId: string,
  contacts: readonly ReturnType<typeof valuesOf>[],
): Promise<ContactRow[]> {
  const inserted = rowsOf<{ row: unknown }>(
    await tx.execute(sql`${insertJsonRows(contactsTable, contacts, CONTACT_COLUMNS, [
      [contactsTable.teamId, sql`${teamId}::uuid`],
    ])}
        on conflict do nothing returning to_jsonb(${contactsTable}) as row`),
  );
  return inserted.map(({ row }) =>
    rowFromJson(contactsTable, typeof row === 'string' ? JSON.parse(row) : row),
  );
}

/** The contact fields an add writes, by the row field that carries each (see valuesOf). */
const CONTACT_COLUMNS = {
  email: contactsTable.email,
  firstName: contactsTable.firstName,
  lastName: contactsTable.lastName,
  phone: contactsTable.phone,
  company: contactsTable.company,
  jobTitle: contactsTable.jobTitle,
  location: contactsTable.location,
  linkedinUrl: contactsTable.linkedinUrl,
};

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
