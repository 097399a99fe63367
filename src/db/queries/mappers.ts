// Row → domain mappers: stored options and tags (jsonb, read tolerantly), a campaign's and an
// override's sync inputs, a contact's data, and the effective sync of one campaign contact.
import { z } from 'zod';
import { type CampaignSyncInput, resolveEffectiveSync } from '../../domain/settings.js';
import type {
  ContactData,
  EffectiveSync,
  FieldValue,
  SyncAs,
  SyncOptions,
  TeamSyncSettings,
  UserSyncSettings,
} from '../../domain/types.js';
import type { CampaignContactRow, CampaignRow, ContactRow } from './rows.js';
import { eachNullable, SYNC_OPTION_FIELDS } from './stored-settings.js';

/** Options as clients send them (each null = inherit), or as stored. */
export type SyncOptionsInput = { [K in keyof SyncOptions]?: SyncOptions[K] | null };

export const syncOptionsSchema = z.strictObject(eachNullable(SYNC_OPTION_FIELDS)).partial();

/** Drops unset keys and repeated list entries; null when nothing is set (inherit everything). */
export function compactOptions(options: SyncOptionsInput): SyncOptions | null {
  const entries = Object.entries(options)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => [k, Array.isArray(v) ? [...new Set(v)] : v]);
  return entries.length > 0 ? (Object.fromEntries(entries) as SyncOptions) : null;
}

/** Stored options (jsonb); anything no longer valid is dropped rather than failing reads. */
export function storedOptions(value: unknown): SyncOptions | null {
  if (value === null || value === undefined) return null;
  const parsed = syncOptionsSchema.safeParse(value);
  return parsed.success ? compactOptions(parsed.data) : null;
}

const storedFieldValueSchema = z.object({
  field: z.string(),
  value: z.string().nullable().default(null),
  values: z.array(z.string()).nullable().default(null),
});

const storedFieldValuesSchema = z.array(storedFieldValueSchema);

export function storedFieldValues(value: unknown): FieldValue[] {
  if (value === null || value === undefined || (Array.isArray(value) && value.length === 0)) return [];
  const parsed = storedFieldValuesSchema.safeParse(value);
  return parsed.success ? parsed.data : [];
}

// Parsed once per loaded row (rows are per request or per job and never mutated).
const parsedSync = new WeakMap<CampaignRow, CampaignSyncInput>();

/** The campaign as the settings resolution sees it. */
export function campaignSyncOf(row: CampaignRow): CampaignSyncInput {
  let parsed = parsedSync.get(row);
  if (!parsed) {
    parsed = {
      syncAs: row.syncAs,
      options: storedOptions(row.options),
      optionsSetByAdmin: row.optionsSetByAdmin,
      fieldValues: storedFieldValues(row.fieldValues),
    };
    parsedSync.set(row, parsed);
  }
  return parsed;
}

/** The per-person override as stored; null when there is none. */
export interface SyncOverrideView {
  readonly syncAs: SyncAs | null;
  readonly options: SyncOptions | null;
  readonly fieldValues: readonly FieldValue[];
  readonly updatedAt: Date;
}

const parsedOverride = new WeakMap<CampaignContactRow, SyncOverrideView>();

/** Parsed once per loaded row (the `override` field and the effective sync both read it). */
export function overrideOf(row: CampaignContactRow): SyncOverrideView | null {
  if (!row.overrideUpdatedAt) return null;
  let view = parsedOverride.get(row);
  if (!view) {
    view = {
      syncAs: row.overrideSyncAs,
      options: storedOptions(row.overrideOptions),
      fieldValues: storedFieldValues(row.overrideFieldValues),
      updatedAt: row.overrideUpdatedAt,
    };
    parsedOverride.set(row, view);
  }
  return view;
}

export function contactDataOf(row: ContactRow): ContactData {
  return {
    firstName: row.firstName,
    lastName: row.lastName,
    email: row.email,
    phone: row.phone,
    company: row.company,
    jobTitle: row.jobTitle,
    location: row.location,
    linkedinUrl: row.linkedinUrl,
  };
}

/** The campaign owner as the settings resolution sees them. */
export interface OwnerSync {
  readonly isAdmin: boolean;
  readonly settings: UserSyncSettings;
}

/** Person override > campaign > owner's personal defaults > team defaults, with the lock applied. */
export function effectiveSyncOf(
  team: TeamSyncSettings,
  owner: OwnerSync,
  campaign: CampaignRow,
  row: CampaignContactRow,
): EffectiveSync {
  const view = overrideOf(row);
  return resolveEffectiveSync({
    team,
    owner,
    campaign: campaignSyncOf(campaign),
    override: view && { ...view, optionsSetByAdmin: row.overrideOptionsSetByAdmin },
  });
}
