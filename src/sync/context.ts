// Everything the sync policy needs about campaign contacts, loaded in a fixed number of queries for
// any number of them (the executor loads one; previews and enqueueing load many).
import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { loadTeamSettings, loadUserSettings } from '../app/settings-store.js';
import type { DbOrTx } from '../db/client.js';
import { campaignContactsTable, campaignsTable, contactsTable, usersTable } from '../db/schema.js';
import { resolveEffectiveSync } from '../domain/settings.js';
import {
  ACTIVITY_TYPES,
  ADD_APPLICATION_WHEN,
  type ContactData,
  type EffectiveSync,
  FIELD_UPDATE_POLICIES,
  type FieldMapping,
  type FieldValue,
  OUTREACH_CHANNELS,
  type SyncOptions,
  type TeamSyncSettings,
} from '../domain/types.js';

export const fieldValueSchema = z.object({
  field: z.string(),
  value: z.string().nullable().optional().default(null),
  values: z.array(z.string()).nullable().optional().default(null),
});
export const syncOptionsSchema = z
  .object({
    addApplicationWhen: z.enum(ADD_APPLICATION_WHEN).nullable(),
    onlyAddNotesToSyncedRecords: z.boolean().nullable(),
    fieldUpdatePolicy: z.enum(FIELD_UPDATE_POLICIES).nullable(),
    activityNoteTypes: z.array(z.enum(ACTIVITY_TYPES)).nullable(),
    noteChannels: z.array(z.enum(OUTREACH_CHANNELS)).nullable(),
  })
  .partial();

/** Stored jsonb is parsed defensively: a value that no longer parses counts as unset. */
export function parseFieldValues(raw: unknown): FieldValue[] {
  const parsed = z.array(fieldValueSchema).safeParse(raw ?? []);
  return parsed.success ? parsed.data : [];
}
export function parseSyncOptions(raw: unknown): SyncOptions | null {
  if (raw == null) return null;
  const parsed = syncOptionsSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

export type CampaignContactRow = typeof campaignContactsTable.$inferSelect;
export type ContactRow = typeof contactsTable.$inferSelect;
export type CampaignRow = typeof campaignsTable.$inferSelect;

export interface SyncContext {
  readonly campaignContact: CampaignContactRow;
  readonly contact: ContactRow;
  readonly contactData: ContactData;
  readonly campaign: CampaignRow;
  readonly owner: { readonly id: string; readonly email: string; readonly isAdmin: boolean };
  readonly team: TeamSyncSettings;
  readonly mappings: readonly FieldMapping[];
  readonly effective: EffectiveSync;
}

export function contactDataOf(contact: ContactRow): ContactData {
  return {
    firstName: contact.firstName,
    lastName: contact.lastName,
    email: contact.email,
    phone: contact.phone,
    company: contact.company,
    jobTitle: contact.jobTitle,
    location: contact.location,
    linkedinUrl: contact.linkedinUrl,
  };
}

/** Contexts of campaign contacts of one team, by id (missing or other teams' ids are absent). */
export async function loadSyncContexts(
  db: DbOrTx,
  teamId: string,
  campaignContactIds: readonly string[],
): Promise<Map<string, SyncContext>> {
  const result = new Map<string, SyncContext>();
  if (campaignContactIds.length === 0) return result;
  const rows = await db
    .select({
      cc: campaignContactsTable,
      contact: contactsTable,
      campaign: campaignsTable,
      owner: usersTable,
    })
    .from(campaignContactsTable)
    .innerJoin(contactsTable, eq(contactsTable.id, campaignContactsTable.contactId))
    .innerJoin(campaignsTable, eq(campaignsTable.id, campaignContactsTable.campaignId))
    .innerJoin(usersTable, eq(usersTable.id, campaignsTable.ownerId))
    .where(
      and(
        eq(campaignContactsTable.teamId, teamId),
        inArray(campaignContactsTable.id, [...campaignContactIds]),
      ),
    );
  if (rows.length === 0) return result;
  const [teamSettings, userSettings] = await Promise.all([
    loadTeamSettings(db, teamId),
    loadUserSettings(db, teamId, [...new Set(rows.map((r) => r.owner.id))]),
  ]);
  for (const { cc, contact, campaign, owner } of rows) {
    const isAdmin = owner.role === 'ADMIN';
    const effective = resolveEffectiveSync({
      team: teamSettings.settings,
      owner: { isAdmin, settings: userSettings.get(owner.id) ?? null },
      campaign: {
        syncAs: campaign.syncAs,
        options: parseSyncOptions(campaign.options),
        optionsSetByAdmin: campaign.optionsSetByAdmin,
        fieldValues: parseFieldValues(campaign.fieldValues),
      },
      override:
        cc.overrideUpdatedAt === null
          ? null
          : {
              syncAs: cc.overrideSyncAs,
              options: parseSyncOptions(cc.overrideOptions),
              optionsSetByAdmin: cc.overrideOptionsSetByAdmin,
              fieldValues: parseFieldValues(cc.overrideFieldValues),
            },
    });
    result.set(cc.id, {
      campaignContact: cc,
      contact,
      contactData: contactDataOf(contact),
      campaign,
      owner: { id: owner.id, email: owner.email, isAdmin },
      team: teamSettings.settings,
      mappings: teamSettings.fieldMappings,
      effective,
    });
  }
  return result;
}
