// Everything the sync policy and its effects need about campaign contacts of one team, read in a
// constant number of statements whatever their number: rows, contacts, campaigns, the owners' and
// activity authors' names and defaults, the team's settings, and each one's effective sync.

import { and, eq, sql } from 'drizzle-orm';
import { missingMandatoryFields } from '../../domain/settings.js';
import type { PolicyEvent, SyncDecisionInput } from '../../domain/sync-actions.js';
import type { ContactData, EffectiveSync, FieldMapping, TeamSyncSettings } from '../../domain/types.js';
import type { DbOrTx } from '../client.js';
import {
  activitiesTable,
  campaignContactsTable,
  campaignsTable,
  contactsTable,
  teamSettingsTable,
  userSettingsTable,
  usersTable,
} from '../schema.js';
import { contactDataOf, effectiveSyncOf } from './mappers.js';
import { inUuids, runPrepared } from './prepared.js';
import { type CampaignContactRow, type CampaignRow, uuidsOnly } from './rows.js';
import { teamSettingsFromRow, userSettingsFromRow } from './stored-settings.js';

const teamParam = sql.placeholder('teamId');

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

/** Campaign contacts of one team with their campaign, contact, owner and settings: one row each. */
function contextRows(db: DbOrTx, teamId: string, ids: readonly string[]) {
  const cc = campaignContactsTable;
  const c = campaignsTable;
  const u = usersTable;
  const us = userSettingsTable;
  const ts = teamSettingsTable;
  return runPrepared(
    db,
    'sync_context_rows',
    (d) =>
      d
        .select({
          row: cc,
          campaign: c,
          contact: contactsTable,
          ownerEmail: u.email,
          ownerRole: u.role,
          ownerSettings: us.settings,
          teamSettings: ts.settings,
          fieldMappings: ts.fieldMappings,
          // Who recorded the contact's activities (notes name them): the team's users among them.
          actors: sql<unknown>`(select json_agg(json_build_object('id', au.id, 'email', au.email))
                   from ${u} au
                  where au.team_id = ${teamParam}
                    and au.id in (select a.actor_user_id from ${activitiesTable} a
                                   where a.team_id = ${teamParam} and a.campaign_contact_id = ${cc.id}))`,
        })
        .from(cc)
        .innerJoin(c, and(eq(c.id, cc.campaignId), eq(c.teamId, teamParam)))
        .innerJoin(
          contactsTable,
          and(eq(contactsTable.id, cc.contactId), eq(contactsTable.teamId, teamParam)),
        )
        .leftJoin(u, and(eq(u.id, c.ownerId), eq(u.teamId, teamParam)))
        .leftJoin(us, and(eq(us.userId, c.ownerId), eq(us.teamId, teamParam)))
        .leftJoin(ts, eq(ts.teamId, teamParam))
        .where(and(eq(cc.teamId, teamParam), inUuids(cc.id, 'ids'))),
    { teamId, ids },
  );
}

/** The `actors` column of a context row: `[{ id, email }]` as JSON (parsed or not), or null. */
function actorsOf(value: unknown): Map<string, string> {
  const list = (typeof value === 'string' ? JSON.parse(value) : value) as
    | { id: string; email: string }[]
    | null;
  return new Map((list ?? []).map((a) => [a.id, a.email]));
}

/**
 * Contexts of campaign contacts of one team, by id (unknown or other teams' ids are absent). One
 * statement: the rows with everything one-to-one joined, and their activities' authors.
 */
export async function loadSyncContexts(
  db: DbOrTx,
  teamId: string,
  campaignContactIds: readonly string[],
): Promise<Map<string, SyncContext>> {
  const ids = uuidsOnly(campaignContactIds);
  if (ids.length === 0) return new Map();
  const result = new Map<string, SyncContext>();
  for (const { row, campaign, contact, actors, ...joined } of await contextRows(db, teamId, ids)) {
    const owner = {
      id: campaign.ownerId,
      email: joined.ownerEmail ?? 'a team member',
      isAdmin: joined.ownerRole === 'ADMIN',
    };
    const team = teamSettingsFromRow(
      joined.teamSettings === null && joined.fieldMappings === null
        ? undefined
        : { settings: joined.teamSettings, fieldMappings: joined.fieldMappings },
    );
    const settings = joined.ownerSettings === null ? {} : userSettingsFromRow(joined.ownerSettings);
    const effective = effectiveSyncOf(team.settings, { isAdmin: owner.isAdmin, settings }, campaign, row);
    const contactData = contactDataOf(contact);
    result.set(row.id, {
      campaignContact: row,
      campaign,
      contactId: contact.id,
      email: contact.email,
      contactData,
      owner,
      actors: actorsOf(actors),
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
