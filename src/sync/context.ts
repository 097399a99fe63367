// What the sync engine needs about campaign contacts: the app's own sync context (rows, contact
// data, effective sync — resolved in one place, src/app/campaign-contacts.ts) plus the campaign
// owner, whom notes name. A constant number of statements for any number of contacts.
import { type SyncContext as AppSyncContext, loadSyncContext } from '../app/campaign-contacts.js';
import { loadUsers } from '../app/identity.js';
import type { DbOrTx } from '../db/client.js';
import type { ContactData, EffectiveSync, FieldMapping, TeamSyncSettings } from '../domain/types.js';

export interface SyncContext {
  readonly campaignContact: AppSyncContext['campaignContact'];
  readonly campaign: AppSyncContext['campaign'];
  readonly contactId: string;
  /** The contact's email, always set (contacts are unique by it). */
  readonly email: string;
  readonly contactData: ContactData;
  readonly owner: { readonly id: string; readonly email: string; readonly isAdmin: boolean };
  readonly team: TeamSyncSettings;
  readonly mappings: readonly FieldMapping[];
  readonly effective: EffectiveSync;
}

/** Contexts of campaign contacts of one team, by id (unknown or other teams' ids are absent). */
export async function loadSyncContexts(
  db: DbOrTx,
  teamId: string,
  campaignContactIds: readonly string[],
): Promise<Map<string, SyncContext>> {
  const base = await loadSyncContext(db, teamId, campaignContactIds);
  const ownerIds = [...new Set([...base.values()].map((c) => c.campaign.ownerId))];
  const owners = new Map((await loadUsers(db, teamId, ownerIds)).map((u) => [u.id, u]));
  const result = new Map<string, SyncContext>();
  for (const [id, c] of base) {
    const owner = owners.get(c.campaign.ownerId);
    result.set(id, {
      campaignContact: c.campaignContact,
      campaign: c.campaign,
      contactId: c.contactId,
      email: c.contact.email ?? '',
      contactData: c.contact,
      owner: {
        id: c.campaign.ownerId,
        email: owner?.email ?? 'a team member',
        isAdmin: owner?.role === 'ADMIN',
      },
      team: c.team,
      mappings: c.fieldMappings,
      effective: c.effective,
    });
  }
  return result;
}
