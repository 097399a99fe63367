// The candidate side of the effects: find (or remember) the Pinpoint candidate of a contact, and
// write mapped fields on it per their update policy. Each remote id is stored the moment it is learned.
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { SyncContext } from '../../db/queries/sync-context.js';
import { campaignContactsTable } from '../../db/schema.js';
import { contactVariableValue, customFieldId } from '../../domain/settings.js';
import type { FieldWrite } from '../../domain/sync-actions.js';
import type { FieldValue } from '../../domain/types.js';
import { personAttributeKey } from '../../pinpoint/attributes.js';
import type { PinpointClient } from '../../pinpoint/client.js';
import type {
  CustomAttributeInput,
  PersonAttributesInput,
  PinpointCandidate,
  PinpointCustomField,
} from '../../pinpoint/types.js';
import type { EffectDeps } from './deps.js';

/** A failure the user must fix; no retry (e.g. the email matches several Pinpoint candidates). */
export class PermanentSyncError extends Error {
  override readonly name = 'PermanentSyncError';
}

/** ISO country of an international phone number, for Pinpoint's required `phone_iso2`. */
const CALLING_CODES: [string, string][] = [
  ['+353', 'IE'],
  ['+44', 'GB'],
  ['+49', 'DE'],
  ['+33', 'FR'],
  ['+34', 'ES'],
  ['+39', 'IT'],
  ['+31', 'NL'],
  ['+46', 'SE'],
  ['+61', 'AU'],
  ['+64', 'NZ'],
  ['+91', 'IN'],
  ['+1', 'US'],
];
export function phoneIso2(phone: string): string | undefined {
  const compact = phone.replace(/[\s().-]/g, '');
  return CALLING_CODES.find(([code]) => compact.startsWith(code))?.[1];
}

export type CustomValue = { field: PinpointCustomField; value: string; policy: FieldWrite['policy'] };

/** Stores a learned remote id on the campaign contact and in the job's context. */
export async function saveLink(
  db: Db,
  ctx: SyncContext,
  patch: Partial<typeof campaignContactsTable.$inferInsert>,
): Promise<void> {
  await db
    .update(campaignContactsTable)
    .set(patch)
    .where(eq(campaignContactsTable.id, ctx.campaignContact.id));
  Object.assign(ctx.campaignContact, patch);
}

export async function findCandidate(deps: EffectDeps, ctx: SyncContext): Promise<string | null> {
  if (ctx.campaignContact.pinpointCandidateId) return ctx.campaignContact.pinpointCandidateId;
  const matches = await deps.client.findCandidatesByEmail(ctx.email);
  if (matches.length > 1) {
    throw new PermanentSyncError(
      `${matches.length} Pinpoint candidates have the email ${ctx.email}; merge them in Pinpoint, then retry.`,
    );
  }
  const id = matches[0]?.id ?? null;
  if (id) await saveLink(deps.db, ctx, { pinpointCandidateId: id });
  return id;
}

export function standardAttributes(ctx: SyncContext, fields: readonly FieldWrite[]): PersonAttributesInput {
  const attributes: Record<string, string> = {};
  for (const f of fields) {
    const key = personAttributeKey(f.pinpointField);
    const value = contactVariableValue(ctx.contactData, f.variable);
    if (key && value !== null) attributes[key] = value;
  }
  if (attributes.phone && !attributes.phoneIso2) {
    const iso = phoneIso2(attributes.phone);
    if (iso) attributes.phoneIso2 = iso;
  }
  return attributes as PersonAttributesInput;
}

export function policiesByAttribute(fields: readonly FieldWrite[]): Map<string, FieldWrite['policy']> {
  const map = new Map<string, FieldWrite['policy']>();
  for (const f of fields) {
    const key = personAttributeKey(f.pinpointField);
    if (key) map.set(key, f.policy);
  }
  return map;
}

/** Custom values to write on the candidate: mapped variables plus custom-field tags of the campaign. */
export async function customValues(
  deps: EffectDeps,
  ctx: SyncContext,
  fields: readonly FieldWrite[],
  fieldValues: readonly FieldValue[],
): Promise<CustomValue[]> {
  const wanted: { id: string; value: string; policy: FieldWrite['policy'] }[] = [];
  for (const f of fields) {
    const id = customFieldId(f.pinpointField);
    const value = contactVariableValue(ctx.contactData, f.variable);
    if (id && value !== null) wanted.push({ id, value, policy: f.policy });
  }
  for (const v of fieldValues) {
    const id = customFieldId(v.field);
    const value = v.value ?? v.values?.join(', ') ?? null;
    if (id && value) wanted.push({ id, value, policy: ctx.effective.fieldUpdatePolicy });
  }
  if (wanted.length === 0) return [];
  const known = await deps.customFields();
  return wanted.flatMap((w) => {
    const field = known.find((k) => k.id === w.id && k.resourceType === 'candidate');
    return field ? [{ field, value: w.value, policy: w.policy }] : [];
  });
}

/** Writes fields on an existing candidate: ALWAYS_UPDATE overwrites, ONLY_IF_BLANK reads first. */
export async function writeCandidateFields(
  client: PinpointClient,
  candidateId: string,
  attributes: PersonAttributesInput,
  policies: Map<string, FieldWrite['policy']>,
  custom: CustomValue[],
): Promise<string[]> {
  const needsRead = [...policies.values()].includes('ONLY_IF_BLANK') || custom.length > 0;
  const current: PinpointCandidate | null = needsRead ? await client.getCandidate(candidateId) : null;
  const attrs: Record<string, unknown> = {};
  const written: string[] = [];
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'phoneIso2') continue;
    const policy = policies.get(key) ?? 'ONLY_IF_BLANK';
    const existing = current ? (current as unknown as Record<string, unknown>)[key] : null;
    if (policy === 'ALWAYS_UPDATE' ? existing !== value : existing == null || existing === '') {
      attrs[key] = value;
      written.push(key);
      if (key === 'phone' && attributes.phoneIso2) attrs.phoneIso2 = attributes.phoneIso2;
    }
  }
  const customAttributes: CustomAttributeInput[] = [];
  for (const c of custom) {
    const existing = current?.customAttributes.find((a) => a.customFieldId === c.field.id);
    const blank = existing === undefined || existing.value === null || existing.value === '';
    if (c.policy === 'ALWAYS_UPDATE' ? existing?.value !== c.value : blank) {
      customAttributes.push({
        customFieldId: c.field.id,
        value: c.value,
        fieldType: c.field.fieldType,
        ...(existing ? { existingAttributeId: existing.id } : {}),
      });
      written.push(`custom:${c.field.id}`);
    }
  }
  if (written.length > 0) {
    await client.updateCandidate(candidateId, {
      ...(Object.keys(attrs).length > 0 ? { attributes: attrs as PersonAttributesInput } : {}),
      ...(customAttributes.length > 0 ? { customAttributes } : {}),
    });
  }
  return written;
}
