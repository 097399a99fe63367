// Campaigns: their sync settings (Sync as, options, tags) with the resolved effectiveSync, the
// campaigns list and createCampaign / updateCampaignSync. `Campaign.contacts` lives in campaign-contact.ts.
import {
  type CampaignSyncChange,
  type CreateCampaignInput,
  campaignEffectiveSync,
  campaignSyncOf,
  countCampaigns,
  createCampaign,
  getCampaign,
  listCampaigns,
  updateCampaignSync,
} from '../../app/campaigns.js';
import { type CampaignRow, loadersOf, type Page, pageArgs } from '../../app/loaders.js';
import { NotFoundError, SettingsLockedError, ValidationError } from '../../errors.js';
import { builder } from '../builder.js';
import {
  EffectiveSyncRef,
  FieldValueInputRef,
  FieldValueRef,
  SyncOptionsInputRef,
  SyncOptionsRef,
} from './effective-sync.js';
import { OutreachChannelEnum } from './enums.js';
import { foundRows, localId } from './ids.js';
import { SyncAsEnum } from './sync-enums.js';
import { UserRef } from './viewer.js';

export const CampaignRef = builder.loadableNode('Campaign', {
  description:
    'An outreach campaign with its Pinpoint sync settings. Every team member can read the team’s campaigns; the owner and admins change their sync settings.',
  id: { resolve: (campaign: CampaignRow) => campaign.id },
  sort: (campaign) => campaign.id,
  load: async (ids: string[], ctx) => {
    if (!ctx.viewer) return [];
    const rows = await loadersOf(ctx).campaigns.loadMany(ids);
    return foundRows(rows);
  },
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Campaign name.' }),
    channel: t.field({
      type: OutreachChannelEnum,
      description: 'The channel the campaign runs on.',
      resolve: (c) => c.channel,
    }),
    owner: t.field({
      type: UserRef,
      description: 'Who created the campaign; their personal defaults apply to it.',
      resolve: async (c, _args, ctx) => {
        const owner = await loadersOf(ctx).users.load(c.ownerId);
        if (!owner) throw new Error(`owner ${c.ownerId} of campaign ${c.id} not found`);
        return owner;
      },
    }),
    syncAs: t.field({
      type: SyncAsEnum,
      description: 'Whether the campaign’s contacts are pushed to Pinpoint (a person override can differ).',
      resolve: (c) => c.syncAs,
    }),
    options: t.field({
      type: SyncOptionsRef,
      nullable: true,
      description:
        'The campaign’s own sync options; null (or a null field) inherits from the owner’s defaults or the team. While the team is locked, options a member set are ignored (see `effectiveSync`).',
      resolve: (c) => campaignSyncOf(c).options,
    }),
    fieldValues: t.field({
      type: [FieldValueRef],
      description: 'The campaign’s tags (job, stage, tags, custom fields) every pushed Application carries.',
      resolve: (c) => campaignSyncOf(c).fieldValues,
    }),
    effectiveSync: t.field({
      type: EffectiveSyncRef,
      description:
        'The settings that apply to the campaign’s contacts without a person override, with sources.',
      resolve: (c, _args, ctx) => campaignEffectiveSync(loadersOf(ctx), c),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the campaign was created.' }),
  }),
});

/** A page plus a lazy total, so `totalCount` costs a query only when asked for. */
export interface PageWithTotal<T> {
  readonly page: Page<T>;
  readonly hasPreviousPage: boolean;
  readonly totalCount: () => Promise<number>;
}

export function connectionOf<T>(result: PageWithTotal<T>) {
  const { page } = result;
  return {
    edges: page.rows.map((node, i) => ({ cursor: page.cursors[i] ?? '', node })),
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: result.hasPreviousPage,
      startCursor: page.cursors[0] ?? null,
      endCursor: page.cursors[page.cursors.length - 1] ?? null,
    },
    totalCount: result.totalCount,
  };
}

/** Reads the lazy total `connectionOf` put on the connection object. */
export const totalCountOf = (connection: object) =>
  (connection as { totalCount: () => Promise<number> }).totalCount();

const CampaignConnectionRef = builder.connectionObject(
  {
    type: CampaignRef,
    name: 'CampaignConnection',
    description: 'A page of the team’s campaigns, newest first.',
    edgesNullable: { list: false, items: false },
    nodeNullable: false,
    fields: (t) => ({
      totalCount: t.int({
        description: 'How many campaigns the team has in all.',
        resolve: (connection) => totalCountOf(connection),
      }),
    }),
  },
  { name: 'CampaignEdge', description: 'A campaign in a page, with its cursor.' },
);

const pageArgDescriptions = {
  first: 'Page size, 0–100 (default 20).',
  after: 'Cursor of the last item of the previous page (`pageInfo.endCursor`).',
};

builder.queryFields((t) => ({
  campaigns: t.field({
    type: CampaignConnectionRef,
    description: 'The team’s campaigns, newest first (keyset pagination). Any team member.',
    authScopes: { authenticated: true },
    args: {
      first: t.arg.int({ description: pageArgDescriptions.first }),
      after: t.arg.string({ description: pageArgDescriptions.after }),
    },
    resolve: async (_root, args, ctx) => {
      const page = pageArgs(args.first, args.after);
      return connectionOf({
        page: await listCampaigns(ctx, page),
        hasPreviousPage: page.after !== null,
        totalCount: () => countCampaigns(ctx),
      });
    },
  }),
  campaign: t.field({
    type: CampaignRef,
    nullable: true,
    description:
      'One campaign of the team. An unknown id or another team’s id answers null with a `NOT_FOUND` error. Any team member.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, description: 'The campaign’s global id.' }) },
    resolve: (_root, args, ctx) => getCampaign(ctx, localId(args.id, 'Campaign')),
  }),
}));

const CreateCampaignInputRef = builder.inputType('CreateCampaignInput', {
  description: 'What the campaign pop-up sends.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Campaign name, 1–200 characters.' }),
    channel: t.field({ type: OutreachChannelEnum, required: true, description: 'The outreach channel.' }),
    syncAs: t.field({ type: SyncAsEnum, required: true, description: 'Push contacts to Pinpoint or not.' }),
    options: t.field({
      type: SyncOptionsInputRef,
      description:
        'Sync options for this campaign; null inherits all. Refused for members while the team is locked.',
    }),
    fieldValues: t.field({
      type: [FieldValueInputRef],
      description: 'Tags every pushed Application carries (at most 50, each field once).',
    }),
  }),
});

const CampaignSyncInputRef = builder.inputType('CampaignSyncInput', {
  description:
    'Changes to a campaign’s sync settings. Fields left out keep their value; `options: null` clears the options (inherit all); `fieldValues: []` removes all tags.',
  fields: (t) => ({
    syncAs: t.field({ type: SyncAsEnum, description: 'Push contacts to Pinpoint or not; null keeps it.' }),
    options: t.field({
      type: SyncOptionsInputRef,
      description:
        'The campaign’s sync options, replacing the current ones. While the team is locked only admins may set or clear them.',
    }),
    fieldValues: t.field({
      type: [FieldValueInputRef],
      description: 'The campaign’s tags, replacing the current ones (at most 50, each field once).',
    }),
  }),
});

builder.mutationFields((t) => ({
  createCampaign: t.field({
    type: CampaignRef,
    description:
      'Creates a campaign owned by the caller. Any team member; while the team locks sync settings for non-admins, a member may not send `options` (SettingsLockedError).',
    authScopes: { authenticated: true },
    errors: {
      types: [ValidationError, SettingsLockedError],
      union: { description: 'The new campaign, or why it was not created.' },
    },
    args: {
      input: t.arg({ type: CreateCampaignInputRef, required: true, description: 'The new campaign.' }),
    },
    resolve: (_root, args, ctx) => createCampaign(ctx, args.input as CreateCampaignInput),
  }),
  updateCampaignSync: t.field({
    type: CampaignRef,
    description:
      'Changes a campaign’s Sync as, options and tags; every contact of the campaign is re-evaluated by the sync engine (a contact already past a lowered trigger is pushed). The campaign owner or an admin (other members get a `FORBIDDEN` error); while the team is locked, members may change Sync as and tags but not options (SettingsLockedError).',
    authScopes: { authenticated: true },
    errors: {
      types: [ValidationError, NotFoundError, SettingsLockedError],
      union: { description: 'The updated campaign, or why nothing was changed.' },
    },
    args: {
      id: t.arg.id({ required: true, description: 'The campaign’s global id.' }),
      input: t.arg({ type: CampaignSyncInputRef, required: true, description: 'The changes.' }),
    },
    resolve: (_root, args, ctx) =>
      updateCampaignSync(ctx, localId(args.id, 'Campaign'), args.input as CampaignSyncChange),
  }),
}));
