// Contacts: the people outreach goes to, one per team per email (case-insensitive). Validation of
// contact input (shared with addContactsToCampaign) and `updateContact`, which queues a CONTACT_EDITED
// job for every campaign the contact is in when a field actually changed.
import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../db/client.js';
import { campaignContactsTable, contactsTable } from '../db/schema.js';
import type { ContactData, ContactVariable } from '../domain/types.js';
import { type FieldIssue, issuesToFieldErrors, NotFoundError, ValidationError } from '../errors.js';
import { type AppContext, viewerOf } from './context.js';
import { uuidsOnly } from './identity.js';
import { type ContactRow, loadersOf, primeRows } from './loaders.js';
import { enqueueAndMarkPending } from './sync.js';

/** The contact fields a client can write, with the variable each is known by in field mappings. */
export const CONTACT_FIELDS = {
  email: 'EMAIL',
  firstName: 'FIRST_NAME',
  lastName: 'LAST_NAME',
  phone: 'PHONE',
  company: 'COMPANY',
  jobTitle: 'JOB_TITLE',
  location: 'LOCATION',
  linkedinUrl: 'LINKEDIN_URL',
} as const satisfies Record<keyof ContactData, ContactVariable>;
export type ContactField = keyof typeof CONTACT_FIELDS;
export const CONTACT_FIELD_NAMES = Object.keys(CONTACT_FIELDS) as ContactField[];

/** What `ContactInput` carries: `email` required, the rest optional (null or "" = none). */
export type ContactInput = { email: string } & { [K in Exclude<ContactField, 'email'>]?: string | null };
/** What `ContactUpdateInput` carries: absent = keep, null or "" = clear (not for email). */
export type ContactUpdateInput = { [K in ContactField]?: string | null };

const emptyToNull = (v: string) => (v === '' ? null : v);

const text = (max: number) =>
  z.string().trim().max(max, `At most ${max} characters`).transform(emptyToNull).nullish();

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname.includes('.');
  } catch {
    return false;
  }
}

const email = z
  .string()
  .trim()
  .min(1, 'Enter an email address')
  .max(320, 'At most 320 characters')
  .pipe(z.email('Enter a valid email address'));

const contactFields = {
  firstName: text(200),
  lastName: text(200),
  phone: text(50).refine((v) => v == null || /\d/.test(v), 'Enter a phone number'),
  company: text(200),
  jobTitle: text(200),
  location: text(200),
  linkedinUrl: text(500).refine((v) => v == null || isHttpUrl(v), 'Enter an http:// or https:// URL'),
};

export const contactInputSchema = z.object({ email, ...contactFields });
const contactUpdateSchema = z.object({ email: email.nullish(), ...contactFields });

export type ValidContact = { email: string } & { [K in Exclude<ContactField, 'email'>]?: string | null };

/** Validates one contact; issues carry paths under `prefix`. */
export function parseContact(
  input: unknown,
  prefix: readonly string[],
): { contact: ValidContact | null; issues: FieldIssue[] } {
  const parsed = contactInputSchema.safeParse(input);
  if (parsed.success) return { contact: parsed.data, issues: [] };
  return { contact: null, issues: issuesToFieldErrors(parsed.error.issues, prefix) };
}

export { contactDataOf } from '../db/queries/mappers.js';

/** The variables whose value differs between a stored contact and the values about to be written. */
export function changedVariables(before: ContactRow, after: Partial<Record<ContactField, string | null>>) {
  return CONTACT_FIELD_NAMES.filter((f) => after[f] !== undefined && after[f] !== before[f]).map(
    (f) => CONTACT_FIELDS[f],
  );
}

/** Queues CONTACT_EDITED for every campaign contact of these contacts (inside the caller's transaction). */
export async function enqueueContactEdits(
  tx: DbOrTx,
  teamId: string,
  edits: ReadonlyMap<string, readonly ContactVariable[]>,
): Promise<void> {
  if (edits.size === 0) return;
  const links = await tx
    .select({ id: campaignContactsTable.id, contactId: campaignContactsTable.contactId })
    .from(campaignContactsTable)
    .where(
      and(
        eq(campaignContactsTable.teamId, teamId),
        inArray(campaignContactsTable.contactId, [...edits.keys()]),
      ),
    );
  await enqueueAndMarkPending(
    tx,
    teamId,
    links.map((link) => ({
      campaignContactId: link.id,
      event: { kind: 'CONTACT_EDITED', changedVariables: [...(edits.get(link.contactId) ?? [])] },
    })),
  );
}

function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}

const emailTaken = () =>
  new ValidationError('Another contact of your team already has this email.', [
    { path: ['input', 'email'], message: 'Another contact of your team already has this email' },
  ]);

/**
 * Edits a contact of the viewer's team (any team member may). Absent fields keep their value; null or
 * "" clears one (email cannot be cleared). An email another contact of the team has (in any letter
 * case) is a ValidationError on `email`. When a value changed, every campaign the contact is in gets a
 * CONTACT_EDITED job naming the changed variables, in the same transaction.
 */
export async function updateContact(
  ctx: AppContext,
  id: string,
  input: ContactUpdateInput,
): Promise<ContactRow> {
  const { teamId } = viewerOf(ctx);
  const loaders = loadersOf(ctx);
  const current = uuidsOnly([id]).length > 0 ? await loaders.contacts.load(id) : null;
  if (!current) throw new NotFoundError('No contact with this id in your team.');

  if (input.email === null) {
    throw new ValidationError('Invalid contact', [
      { path: ['input', 'email'], message: 'A contact needs an email' },
    ]);
  }
  const parsed = contactUpdateSchema.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError(
      'Invalid contact; nothing was saved.',
      issuesToFieldErrors(parsed.error.issues, ['input']),
    );
  }
  const values: Partial<Record<ContactField, string | null>> = {};
  for (const field of CONTACT_FIELD_NAMES) {
    if (input[field] !== undefined) values[field] = parsed.data[field] ?? null;
  }
  const changed = changedVariables(current, values);
  if (changed.length === 0) return current;

  if (values.email && values.email.toLowerCase() !== current.email.toLowerCase()) {
    const clash = await ctx.db
      .select({ id: contactsTable.id })
      .from(contactsTable)
      .where(
        and(
          eq(contactsTable.teamId, teamId),
          ne(contactsTable.id, current.id),
          sql`lower(${contactsTable.email}) = ${values.email.toLowerCase()}`,
        ),
      );
    if (clash.length > 0) throw emailTaken();
  }

  try {
    const updated = await ctx.db.transaction(async (tx) => {
      const [row] = await tx
        .update(contactsTable)
        .set({ ...values, email: values.email ?? current.email })
        .where(and(eq(contactsTable.id, current.id), eq(contactsTable.teamId, teamId)))
        .returning();
      await enqueueContactEdits(tx, teamId, new Map([[current.id, changed]]));
      return row;
    });
    if (!updated) throw new NotFoundError('No contact with this id in your team.');
    primeRows(loaders.contacts, [updated]);
    return updated;
  } catch (error) {
    // Two edits racing to the same email: the unique index decides.
    if (isUniqueViolation(error)) throw emailTaken();
    throw error;
  }
}
