// Everything the sync policy and its effects need about campaign contacts of one team, read in a
// constant number of statements whatever their number: rows, contacts, campaigns, the owners' and
// activity authors' names and defaults, the team's settings, and each one's effective sync.
import { missingMandatoryFields } from '../../domain/settings.js';
import type { PolicyEvent, SyncDecisionInput } from '../../domain/sync-actions.js';
import type { ContactData, EffectiveSync, FieldMapping, TeamSyncSettings } from '../../domain/types.js';
import type { DbOrTx } from '../client.js';
import { contactDataOf, effectiveSyncOf } from './mappers.js';
import {
  activityActorIds,
  campaignContactsById,
  campaignsById,
  contactsById,
  loadTeamSettings,
  loadUserSettings,
  usersById,
} from './reads.js';
import type { CampaignContactRow, CampaignRow } from './rows.js';

export interface SyncContext {
  readonly campaignContact: CampaignContactRow;
  readonly campaign: CampaignRow;
  readonly contactId: string;
  /** The contact's email, always set (contacts are unique by it). */
  readonly email: string;
  readonly contactData: ContactData;
  /** The campaign owner, whom notes name unless another user recorded the activity. */
  readonly owner: { readonly id: string; readonly email: string; readonly isAdmin: boolean };
  /** Emails of the users who recorded this contact's activities, by user id. */
  readonly actors: ReadonlyMap<string, string>;
  readonly team: TeamSyncSettings;
  readonly mappings: readonly FieldMapping[];
  readonly effective: EffectiveSync;
  readonly missingMandatoryFields: readonly string[];
}

/** Contexts of campaign contacts of one team, by id (unknown or other teams' ids are absent). 6 statements. */
export async function loadSyncContexts(
  db: DbOrTx,
  teamId: string,
  campaignContactIds: readonly string[],
): Promise<Map<string, SyncContext>> {
  const rows = await campaignContactsById(db, teamId, campaignContactIds);
  if (rows.length === 0) return new Map();
  const ownerIdsOf = (campaigns: readonly CampaignRow[]) => [...new Set(campaigns.map((c) => c.ownerId))];
  const [campaigns, contacts, team, actorIds] = await Promise.all([
    campaignsById(db, teamId, [...new Set(rows.map((r) => r.campaignId))]),
    contactsById(db, teamId, [...new Set(rows.map((r) => r.contactId))]),
    loadTeamSettings(db, teamId),
    activityActorIds(
      db,
      teamId,
      rows.map((r) => r.id),
    ),
  ]);
  const ownerIds = ownerIdsOf(campaigns);
  const [users, ownerSettings] = await Promise.all([
    usersById(db, teamId, [...new Set([...ownerIds, ...actorIds])]),
    loadUserSettings(db, teamId, ownerIds),
  ]);
  const campaignById = new Map(campaigns.map((c) => [c.id, c]));
  const contactById = new Map(contacts.map((c) => [c.id, c]));
  const userById = new Map(users.map((u) => [u.id, u]));
  const actors = new Map(users.map((u) => [u.id, u.email]));
  const result = new Map<string, SyncContext>();
  for (const row of rows) {
    const campaign = campaignById.get(row.campaignId);
    const contact = contactById.get(row.contactId);
    if (!campaign || !contact) continue; // deleted meanwhile (foreign keys cascade)
    const ownerRow = userById.get(campaign.ownerId);
    const owner = {
      id: campaign.ownerId,
      email: ownerRow?.email ?? 'a team member',
      isAdmin: ownerRow?.role === 'ADMIN',
    };
    const settings = ownerSettings.get(campaign.ownerId) ?? {};
    const effective = effectiveSyncOf(team.settings, { isAdmin: owner.isAdmin, settings }, campaign, row);
    const contactData = contactDataOf(contact);
    result.set(row.id, {
      campaignContact: row,
      campaign,
      contactId: contact.id,
      email: contact.email,
      contactData,
      owner,
      actors,
      team: team.settings,
      mappings: team.fieldMappings,
      effective,
      missingMandatoryFields: missingMandatoryFields({
        mandatoryFields: effective.mandatoryFields,
        fieldValues: effective.fieldValues,
        contact: contactData,
        mappings: team.fieldMappings,
      }),
    });
  }
  return result;
}

/** The one place the policy's input is built from a context: the contact as it stands, and an event. */
export function syncInputOf(ctx: SyncContext, event: PolicyEvent): SyncDecisionInput {
  const cc = ctx.campaignContact;
  return {
    effective: ctx.effective,
    mappings: ctx.mappings,
    contact: ctx.contactData,
    stage: cc.stage,
    link: { candidateId: cc.pinpointCandidateId, applicationId: cc.pinpointApplicationId },
    event,
  };
}
