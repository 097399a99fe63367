// Campaign contacts: one contact in one campaign with its stage, sync status, per-person override and
// resolved settings; Campaign.contacts; addContactsToCampaign and the extension's override mutations.

import { campaignContactsWithOutcome, countCampaignContactsWithOutcome } from '../../app/ats-status.js';
import {
  campaignContactEffectiveSync,
  campaignContactMissingFields,
  campaignContactPinpointUrl,
  campaignContactsPage,
  countCampaignContacts,
  overrideOf,
  type SyncOverrideView,
} from '../../app/campaign-contacts.js';
import { type AddContactsResult, addContactsToCampaign } from '../../app/campaign-contacts-add.js';
import { type CampaignContactRow, loadersOf, pageArgs } from '../../app/loaders.js';
import { clearSyncOverride, type SyncOverrideChange, setSyncOverride } from '../../app/sync-overrides.js';
import { NotFoundError, SettingsLockedError, ValidationError } from '../../errors.js';
import { builder } from '../builder.js';
import { AtsOutcomeEnum } from './ats-enums.js';
import { CampaignRef, connectionOf, totalCountOf } from './campaign.js';
import { ContactInputRef, ContactRef } from './contact.js';
import {
  EffectiveSyncRef,
  FieldValueInputRef,
  FieldValueRef,
  SyncOptionsInputRef,
  SyncOptionsRef,
} from './effective-sync.js';
import { foundRows, localId } from './ids.js';
import { ContactStageEnum, SyncAsEnum, SyncStatusEnum } from './sync-enums.js';

const SyncOverrideRef = builder.objectRef<SyncOverrideView>('SyncOverride').implement({
  description:
    'A per-person override (set from the Chrome extension) of the campaign’s Sync as, options and tags, for one contact in one campaign.',
  fields: (t) => ({
    syncAs: t.field({
      type: SyncAsEnum,
      nullable: true,
      description: 'Sync as for this person; null = the campaign’s.',
      resolve: (o) => o.syncAs,
    }),
    options: t.field({
      type: SyncOptionsRef,
      nullable: true,
      description: 'Sync options for this person; null (or a null field) = inherit from the campaign.',
      resolve: (o) => o.options,
    }),
    fieldValues: t.field({
      type: [FieldValueRef],
      description: 'Tags for this person, merged over the campaign’s by field (empty = the campaign’s tags).',
      resolve: (o) => [...o.fieldValues],
    }),
    updatedAt: t.expose('updatedAt', {
      type: 'DateTime',
      description: 'When the override was last changed.',
    }),
  }),
});

export const CampaignContactRef = builder.loadableNode('CampaignContact', {
  description:
    'One contact in one campaign: how far they got, where they stand with Pinpoint, and the settings that apply to them.',
  id: { resolve: (row: CampaignContactRow) => row.id },
  sort: (row) => row.id,
  load: async (ids: string[], ctx) => {
    if (!ctx.viewer) return [];
    const rows = await loadersOf(ctx).campaignContacts.loadMany(ids);
    return foundRows(rows);
  },
  fields: (t) => ({
    contact: t.field({
      type: ContactRef,
      description: 'The person.',
      // The row itself when this request already read it (a page's contacts), else its id to load.
      resolve: (row, _args, ctx) => loadersOf(ctx).contactRows.get(row.contactId) ?? row.contactId,
    }),
    campaign: t.field({
      type: CampaignRef,
      description: 'The campaign.',
      resolve: (row) => row.campaignId,
    }),
    stage: t.field({
      type: ContactStageEnum,
      description: 'How far the contact got in the campaign.',
      resolve: (row) => row.stage,
    }),
    syncStatus: t.field({
      type: SyncStatusEnum,
      description: 'Where the contact stands with Pinpoint.',
      resolve: (row) => row.syncStatus,
    }),
    lastSyncError: t.exposeString('lastSyncError', {
      nullable: true,
      description: 'Why the last push failed, in words to show the user; null when it did not fail.',
    }),
    override: t.field({
      type: SyncOverrideRef,
      nullable: true,
      description: 'The per-person override; null when there is none.',
      resolve: (row) => overrideOf(row),
    }),
    effectiveSync: t.field({
      type: EffectiveSyncRef,
      description: 'The settings that apply to this contact in this campaign, with where each came from.',
      resolve: (row, _args, ctx) => campaignContactEffectiveSync(loadersOf(ctx), row),
    }),
    missingMandatoryFields: t.stringList({
      description:
        'Field keys a push would lack right now (`first_name`, `last_name`, `email`, `job`, then the team’s mandatory fields). Empty when nothing is missing.',
      resolve: (row, _args, ctx) => campaignContactMissingFields(loadersOf(ctx), row),
    }),
    pinpointCandidateId: t.exposeString('pinpointCandidateId', {
      nullable: true,
      description: 'The Pinpoint candidate id; null until the contact is synced or linked.',
    }),
    pinpointApplicationId: t.exposeString('pinpointApplicationId', {
      nullable: true,
      description: 'The Pinpoint application id; null until the Application is created or linked.',
    }),
    pinpointUrl: t.string({
      nullable: true,
      description: 'A link to the Application in Pinpoint (best effort); null until it exists.',
      resolve: (row, _args, ctx) => campaignContactPinpointUrl(ctx, row),
    }),
  }),
});

const CampaignContactConnectionRef = builder.connectionObject(
  {
    type: CampaignContactRef,
    name: 'CampaignContactConnection',
    description: 'A page of a campaign’s contacts, in the order they were added.',
    edgesNullable: { list: false, items: false },
    nodeNullable: false,
    fields: (t) => ({
      totalCount: t.int({
        description: 'How many contacts the campaign has in all (with `atsOutcome`: how many match).',
        resolve: (connection) => totalCountOf(connection),
      }),
    }),
  },
  { name: 'CampaignContactEdge', description: 'A campaign contact in a page, with its cursor.' },
);

builder.objectField(CampaignRef, 'contacts', (t) =>
  t.field({
    type: CampaignContactConnectionRef,
    description:
      'The campaign’s contacts in the order they were added (keyset pagination), optionally only those whose Pinpoint Application has one outcome.',
    args: {
      atsOutcome: t.arg({
        type: AtsOutcomeEnum,
        description:
          'Only contacts whose Application Pinpoint reports with this outcome (contacts without an ATS status never match). `totalCount` then counts the matches.',
      }),
      first: t.arg.int({ description: 'Page size, 0–100 (default 20).' }),
      after: t.arg.string({
        description: 'Cursor of the last item of the previous page (`pageInfo.endCursor`).',
      }),
    },
    resolve: async (campaign, args, ctx) => {
      const page = pageArgs(args.first, args.after);
      const outcome = args.atsOutcome;
      if (outcome) {
        return connectionOf({
          page: await campaignContactsWithOutcome(ctx, campaign.id, page, outcome),
          hasPreviousPage: page.after !== null,
          totalCount: () => countCampaignContactsWithOutcome(ctx, campaign.id, outcome),
        });
      }
      return connectionOf({
        page: await campaignContactsPage(ctx, campaign.id, page),
        hasPreviousPage: page.after !== null,
        totalCount: () => countCampaignContacts(ctx, campaign.id),
      });
    },
  }),
);

const AddContactsPayloadRef = builder.objectRef<AddContactsResult>('AddContactsToCampaignPayload').implement({
  description: 'The campaign and its campaign contacts for the contacts given.',
  fields: (t) => ({
    campaign: t.field({ type: CampaignRef, description: 'The campaign.', resolve: (p) => p.campaign }),
    campaignContacts: t.field({
      type: [CampaignContactRef],
      description:
        'One per distinct email given, in input order (contacts already in the campaign included).',
      resolve: (p) => [...p.campaignContacts],
    }),
  }),
});

const SyncOverrideInputRef = builder.inputType('SyncOverrideInput', {
  description:
    'Changes to one person’s override. Fields left out keep their current value; null clears that part (inherit from the campaign); `fieldValues: []` removes the person’s own tags.',
  fields: (t) => ({
    syncAs: t.field({ type: SyncAsEnum, description: 'Sync as for this person.' }),
    options: t.field({
      type: SyncOptionsInputRef,
      description:
        'Sync options for this person. While the team is locked only admins may set or clear them.',
    }),
    fieldValues: t.field({
      type: [FieldValueInputRef],
      description: 'Tags for this person, merged over the campaign’s by field (at most 50, each field once).',
    }),
  }),
});

const campaignContactArg = builder.args((t) => ({
  campaignContactId: t.id({ required: true, description: 'The campaign contact’s global id.' }),
}));

builder.mutationFields((t) => ({
  addContactsToCampaign: t.field({
    type: AddContactsPayloadRef,
    description:
      'Adds up to 500 contacts to a campaign in one transaction. All-or-nothing: if any row is invalid nothing is added and every bad row is named (`["contacts", "<index>", "<field>"]`). Contacts are matched by email (any case) within the team and never duplicated; an existing contact gets the non-empty fields given. Newly added contacts are queued for the sync engine. Any team member.',
    authScopes: { authenticated: true },
    errors: {
      types: [ValidationError, NotFoundError],
      union: { description: 'The campaign and its campaign contacts, or why nothing was added.' },
    },
    args: {
      campaignId: t.arg.id({ required: true, description: 'The campaign’s global id.' }),
      contacts: t.arg({ type: [ContactInputRef], required: true, description: 'The contacts, at most 500.' }),
    },
    resolve: (_root, args, ctx) =>
      addContactsToCampaign(ctx, localId(args.campaignId, 'Campaign'), args.contacts),
  }),
  setSyncOverride: t.field({
    type: CampaignContactRef,
    description:
      'Sets one person’s override of Sync as, options and tags in one campaign (the Chrome extension box); the sync engine re-evaluates the contact. Any team member; while the team is locked, members may change Sync as and tags but not options (SettingsLockedError).',
    authScopes: { authenticated: true },
    errors: {
      types: [ValidationError, NotFoundError, SettingsLockedError],
      union: { description: 'The campaign contact with its new override, or why nothing was changed.' },
    },
    args: {
      ...campaignContactArg,
      input: t.arg({ type: SyncOverrideInputRef, required: true, description: 'The changes.' }),
    },
    resolve: (_root, args, ctx) =>
      setSyncOverride(
        ctx,
        localId(args.campaignContactId, 'CampaignContact'),
        args.input as SyncOverrideChange,
      ),
  }),
  clearSyncOverride: t.field({
    type: CampaignContactRef,
    description:
      'Removes one person’s override so the campaign’s settings apply again; the sync engine re-evaluates the contact. Any team member; while the team is locked, a member cannot remove options an admin set (SettingsLockedError).',
    authScopes: { authenticated: true },
    errors: {
      types: [NotFoundError, SettingsLockedError],
      union: { description: 'The campaign contact without an override, or why nothing was changed.' },
    },
    args: campaignContactArg,
    resolve: (_root, args, ctx) => clearSyncOverride(ctx, localId(args.campaignContactId, 'CampaignContact')),
  }),
}));
