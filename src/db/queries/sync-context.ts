// Everything the sync policy and its effects need about campaign contacts of one team, read in a
// constant number of statements whatever their number: rows, contacts, campaigns, the owners' and
// activity authors' names and defaults, the team's settings, and each one's effective sync.

import { and, eq, type SQL, sql } from 'drizzle-orm';
import { missingMandatoryFields } from '../../domain/settings.js';
import type { PolicyEvent, SyncDecisionInput } from '../../domain/sync-actions.js';
import type { ContactData, EffectiveSync, FieldMapping, TeamSyncSettings } from '../../domain/types.js';
import { rowFromJson } from '../bulk.js';
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
import { type CampaignContactRow, type CampaignRow, type ContactRow, uuidsOnly } from './rows.js';
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
  for (const row of await contextRows(db, teamId, ids)) result.set(row.row.id, contextOf(row));
  return result;
}

/** What a context is built from: contextRows' row, or contextJsonSql's value mapped back. */
interface ContextRow {
  readonly row: CampaignContactRow;
  readonly campaign: CampaignRow;
  readonly contact: ContactRow;
  readonly ownerEmail: string | null;
  readonly ownerRole: string | null;
  readonly ownerSettings: unknown;
  readonly teamSettings: unknown;
  readonly fieldMappings: unknown;
  readonly actors: unknown;
}

function contextOf({ row, campaign, contact, actors, ...joined }: ContextRow): SyncContext {
  const owner = {
    id: campaign.ownerId,
    email: joined.ownerEmail ?? 'a team member',
    isAdmin: joined.ownerRole === 'ADMIN',
  };
  const team = teamSettingsFromRow(
    joined.teamSettings === null && joined.fieldMappings === null
      ? undefined
      : ({ settings: joined.teamSettings, fieldMappings: joined.fieldMappings } as Parameters<
          typeof teamSettingsFromRow
        >[0]),
  );
  const settings =
    joined.ownerSettings === null
      ? {}
      : userSettingsFromRow(joined.ownerSettings as Parameters<typeof userSettingsFromRow>[0]);
  const effective = effectiveSyncOf(team.settings, { isAdmin: owner.isAdmin, settings }, campaign, row);
  const contactData = contactDataOf(contact);
  return {
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
  };
}

/**
 * SQL for one campaign contact's context as a single JSON value (null when it is gone), to be read
 * inside another statement: the job a completion hands its slot to carries its context in the same
 * round trip (sync/claim.ts#handedOffSql). The same rows and joins as contextRows, scoped to `teamId`.
 */
export function contextJsonSql(teamId: string, campaignContactId: SQL): SQL {
  const team = sql`${teamId}::uuid`;
  return sql`(select json_build_object(
            'row', to_jsonb(cc), 'campaign', to_jsonb(c), 'contact', to_jsonb(ct),
            'ownerEmail', u.email, 'ownerRole', u.role, 'ownerSettings', us.settings,
            'teamSettings', ts.settings, 'fieldMappings', ts.field_mappings,
            'actors', (select json_agg(json_build_object('id', au.id, 'email', au.email))
                         from ${usersTable} au
                        where au.team_id = ${team}
                          and au.id in (select a.actor_user_id from ${activitiesTable} a
                                         where a.team_id = ${team} and a.campaign_contact_id = cc.id)))
         from ${campaignContactsTable} cc
         join ${campaignsTable} c on c.id = cc.campaign_id and c.team_id = ${team}
         join ${contactsTable} ct on ct.id = cc.contact_id and ct.team_id = ${team}
         left join ${usersTable} u on u.id = c.owner_id and u.team_id = ${team}
         left join ${userSettingsTable} us on us.user_id = c.owner_id and us.team_id = ${team}
         left join ${teamSettingsTable} ts on ts.team_id = ${team}
        where cc.team_id = ${team} and cc.id = ${campaignContactId})`;
}

/** The context contextJsonSql read (its JSON, parsed or not); null when the campaign contact is gone. */
export function contextFromJson(value: unknown): SyncContext | null {
  if (value === null || value === undefined) return null;
  const json = (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown>;
  return contextOf({
    row: rowFromJson(campaignContactsTable, json.row),
    campaign: rowFromJson(campaignsTable, json.campaign),
    contact: rowFromJson(contactsTable, json.contact),
    ownerEmail: (json.ownerEmail as string | null) ?? null,
    ownerRole: (json.ownerRole as string | null) ?? null,
    ownerSettings: json.ownerSettings ?? null,
    teamSettings: json.teamSettings ?? null,
    fieldMappings: json.fieldMappings ?? null,
    actors: json.actors ?? null,
  });
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
