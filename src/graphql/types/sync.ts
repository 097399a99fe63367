// The sync engine's surface: outreach events (reply, activity), retry, the dry-run preview, and the
// sync event log as a list and as a live stream.

import { tokenWatch } from '../../app/live.js';
import { useSharedLoaders } from '../../app/loaders.js';
import { recordActivity, recordReply, retrySync, syncPreview } from '../../app/sync.js';
import { type SyncEventDelivery, syncEventStream } from '../../app/sync-event-feed.js';
import {
  countSyncEvents,
  decodeEventCursor,
  encodeEventCursor,
  listSyncEvents,
  loadSyncEvents,
  type SyncEventRow,
} from '../../app/sync-events.js';
import { type Context, viewerOf } from '../../context.js';
import type { SyncActionType } from '../../domain/sync-actions.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { builder } from '../builder.js';
import { totalCountOf } from './campaign.js';
import { CampaignContactRef } from './campaign-contact.js';
import { ActivityTypeEnum, OutreachChannelEnum } from './enums.js';
import { localId } from './ids.js';
import { SyncActionEnum, SyncEventKindEnum, SyncStatusEnum } from './sync-enums.js';

export const SyncEventRef = builder.loadableNode('SyncEvent', {
  description:
    'One decision or outcome of the sync engine for one contact in one campaign: created, linked, updated, noted, note held, blocked, skipped, failed, retrying, dead or paused — with the reason in words.',
  id: { resolve: (row: SyncEventRow) => row.id },
  sort: (row) => row.id,
  load: (ids: string[], ctx) =>
    ctx.viewer ? loadSyncEvents(ctx.db, ctx.viewer.teamId, ids) : Promise.resolve([]),
  fields: (t) => ({
    kind: t.field({
      type: SyncEventKindEnum,
      description: 'What happened (see `SyncEventKind`).',
      resolve: (row) => row.kind,
    }),
    message: t.exposeString('message', { description: 'What happened and why, to show a recruiter.' }),
    status: t.field({
      type: SyncStatusEnum,
      nullable: true,
      description: 'The contact’s sync status right after this event; null when the event did not change it.',
      resolve: (row) => row.status,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it happened.' }),
    cursor: t.string({
      description:
        'Where this event stands in the log: the same cursor the `syncEvents` list gives its edge. Pass the last one you saw as `after` to the `syncEvents` subscription to resume without a gap.',
      resolve: (row) => encodeEventCursor(row.position),
    }),
    campaignContact: t.field({
      type: CampaignContactRef,
      nullable: true,
      description: 'The contact in the campaign this is about (null if it was removed since).',
      resolve: (row) => row.campaignContactId,
    }),
  }),
});

type PlanStep = { action: SyncActionType; reason: string };

const SyncPlanStepRef = builder.objectRef<PlanStep>('SyncPlanStep').implement({
  description: 'One action the sync engine would take.',
  fields: (t) => ({
    action: t.field({
      type: SyncActionEnum,
      description: 'What the engine would do (see `SyncAction`).',
      resolve: (step) => step.action,
    }),
    reason: t.exposeString('reason', { description: 'Why, naming where each deciding setting came from.' }),
  }),
});

const SyncPlanRef = builder.objectRef<{ steps: PlanStep[] }>('SyncPlan').implement({
  description: 'A dry run of the sync policy for one contact: what would happen now. Nothing is sent.',
  fields: (t) => ({
    steps: t.field({
      type: [SyncPlanStepRef],
      description: 'The actions in order.',
      resolve: (p) => p.steps,
    }),
  }),
});

const ActivityInput = builder.inputType('ActivityInput', {
  description: 'An outreach activity reported by the outreach product.',
  fields: (t) => ({
    type: t.field({ type: ActivityTypeEnum, required: true, description: 'What happened.' }),
    channel: t.field({
      type: OutreachChannelEnum,
      description: 'Where it happened; null for activity without a channel (e.g. a meeting logged by hand).',
    }),
    occurredAt: t.field({ type: 'DateTime', required: true, description: 'When it happened (ISO-8601).' }),
    subject: t.string({ description: 'Message subject, at most 500 characters; included in the note.' }),
    body: t.string({ description: 'Message or call text, at most 20,000 characters; included in the note.' }),
    eventId: t.string({
      description:
        'Your id for this event. Sending the same id again (a redelivery) is acknowledged without recording anything twice.',
    }),
  }),
});

const SyncEventConnection = builder.connectionObject(
  {
    type: SyncEventRef,
    name: 'SyncEventConnection',
    description: 'A page of sync events, newest first.',
    fields: (t) => ({
      totalCount: t.int({
        description: 'How many events match the filters in all (every page).',
        resolve: (connection) => totalCountOf(connection),
      }),
    }),
  },
  { name: 'SyncEventEdge', description: 'A sync event and its cursor.' },
);

builder.queryFields((t) => ({
  syncEvents: t.field({
    type: SyncEventConnection,
    description:
      'The sync event log of your team, newest first: everything the sync engine decided or did, with reasons. Any team member.',
    authScopes: { authenticated: true },
    args: {
      first: t.arg.int({ description: 'Page size, 1–100 (default 20).' }),
      after: t.arg.string({ description: 'Cursor of the last event of the previous page.' }),
      campaignId: t.arg.id({ description: 'Only events of this campaign.' }),
      status: t.arg({
        type: SyncStatusEnum,
        description: 'Only events that left the contact in this status.',
      }),
    },
    resolve: async (_root, args, ctx) => {
      const first = args.first ?? 20;
      if (first < 1 || first > 100) throw new ValidationError('`first` must be from 1 to 100.');
      const campaignId = args.campaignId ? localId(args.campaignId, 'Campaign') : null;
      if (campaignId === '') return emptyConnection();
      const filter = { campaignId, status: args.status ?? null };
      const { edges, hasNextPage } = await listSyncEvents(ctx, {
        ...filter,
        first,
        after: args.after ?? null,
      });
      return {
        totalCount: () => countSyncEvents(ctx, filter),
        edges,
        pageInfo: {
          hasNextPage,
          hasPreviousPage: Boolean(args.after),
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
      };
    },
  }),
  syncPreview: t.field({
    type: SyncPlanRef,
    description:
      'What the sync engine would do for this contact if it ran now, and why — without sending anything. NOT_FOUND for ids outside your team. Any team member.',
    authScopes: { authenticated: true },
    args: {
      campaignContactId: t.arg.id({ required: true, description: 'Global id of the CampaignContact.' }),
    },
    resolve: async (_root, args, ctx) => {
      const id = localId(args.campaignContactId, 'CampaignContact');
      const steps = id ? await syncPreview(ctx, id) : null;
      if (!steps) throw new NotFoundError('No such contact in this campaign.');
      return { steps };
    },
  }),
}));

function emptyConnection() {
  return {
    totalCount: async () => 0,
    edges: [],
    pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
  };
}

function campaignContactId(globalId: string): string {
  const id = localId(globalId, 'CampaignContact');
  if (!id) throw new NotFoundError('No such contact in this campaign.');
  return id;
}

builder.mutationFields((t) => ({
  recordReply: t.field({
    type: CampaignContactRef,
    description:
      'The contact replied (`interested: true`: and is interested). Advances the stage (never back), records the reply as activity (notes) and may push the Application, as the sync settings say. With an `eventId` seen before, nothing is recorded again. Any team member.',
    authScopes: { authenticated: true },
    errors: {
      types: [NotFoundError, ValidationError],
      union: { description: 'The updated CampaignContact, or why nothing was recorded.' },
    },
    args: {
      campaignContactId: t.arg.id({ required: true, description: 'Global id of the CampaignContact.' }),
      interested: t.arg.boolean({ description: 'True when the contact is interested (implies replied).' }),
      eventId: t.arg.string({ description: 'Your id for this event, for safe redelivery.' }),
    },
    resolve: (_root, args, ctx) =>
      recordReply(ctx, {
        campaignContactId: campaignContactId(args.campaignContactId),
        interested: args.interested,
        eventId: args.eventId,
      }),
  }),
  recordActivity: t.field({
    type: CampaignContactRef,
    description:
      'An outreach activity (message sent, call logged…). Becomes a Pinpoint note when the settings select its type and channel. With an `eventId` seen before, nothing is recorded again. Any team member.',
    authScopes: { authenticated: true },
    errors: {
      types: [ValidationError, NotFoundError],
      union: { description: 'The CampaignContact, or why the activity was not recorded.' },
    },
    args: {
      campaignContactId: t.arg.id({ required: true, description: 'Global id of the CampaignContact.' }),
      input: t.arg({ type: ActivityInput, required: true, description: 'The activity.' }),
    },
    resolve: (_root, args, ctx) => recordActivity(ctx, campaignContactId(args.campaignContactId), args.input),
  }),
  retrySync: t.field({
    type: CampaignContactRef,
    description:
      'Runs the sync policy for this contact again now — after fixing what blocked or failed it, or after it gave up. Any team member.',
    authScopes: { authenticated: true },
    errors: {
      types: [NotFoundError],
      union: { description: 'The CampaignContact (PENDING when a push is planned), or NotFoundError.' },
    },
    args: {
      campaignContactId: t.arg.id({ required: true, description: 'Global id of the CampaignContact.' }),
    },
    resolve: (_root, args, ctx) => retrySync(ctx, campaignContactId(args.campaignContactId)),
  }),
}));

builder.subscriptionField('syncEvents', (t) =>
  t.field({
    type: SyncEventRef,
    description:
      'Sync events of your team as they happen, from every server instance (optionally one campaign), in the order of the `syncEvents` log. With `after` (the `cursor` of the last event you saw) every later event is replayed first, then live ones follow, with no gap and no duplicate; without it, only events from now on. Read the list, then subscribe with its newest cursor; after a reconnect, resume from the last cursor. Any team member.',
    authScopes: { authenticated: true },
    args: {
      campaignId: t.arg.id({ description: 'Only events of this campaign.' }),
      after: t.arg.string({
        description: 'Cursor of the last event you saw (`SyncEvent.cursor` or a list edge’s cursor).',
      }),
    },
    subscribe: (_root, args, ctx) => {
      const campaignId = args.campaignId ? localId(args.campaignId, 'Campaign') : null;
      const after = args.after ? decodeEventCursor(args.after) : null;
      // '' is an id that is no campaign of this team's: nothing ever matches.
      if (campaignId === '') return emptyStream();
      return syncEventStream(ctx.services, {
        teamId: viewerOf(ctx).teamId,
        campaignId,
        after,
        allowed: tokenWatch(ctx),
      });
    },
    resolve: (delivery: SyncEventDelivery, _args, ctx: Context) => {
      useSharedLoaders(ctx, delivery.loaders);
      return delivery.row;
    },
  }),
);

async function* emptyStream(): AsyncGenerator<SyncEventDelivery> {}
