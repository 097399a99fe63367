// Integrations: the catalog, Pinpoint's connection lifecycle, live status, and what the connected
// Pinpoint account offers (jobs with stages, fields).
import {
  activatePinpoint,
  checkIntegration,
  deactivateIntegration,
  getIntegration,
  getIntegrations,
  type IntegrationView,
  integrationStatusStream,
  PROVIDERS,
  type Provider,
  searchCatalog,
} from '../../app/integrations.js';
import {
  listPinpointFields,
  listPinpointJobs,
  type PinpointFieldInfo,
  type PinpointJobView,
  type PinpointStageView,
} from '../../app/pinpoint-catalog.js';
import { freshRequestCache, viewerOf } from '../../context.js';
import { CONNECTION_STATUSES, INTEGRATION_PROVIDERS, INTEGRATION_STATUS_CODES } from '../../domain/types.js';
import {
  IntegrationNotConnectedError,
  PinpointAuthError,
  PinpointUnknownDomainError,
  PinpointUnreachableError,
  ValidationError,
} from '../../errors.js';
import { builder } from '../builder.js';
import { authReasonDescriptions } from '../errors.js';
import { vocabularyEnum } from '../vocabulary.js';

export const IntegrationProviderEnum = vocabularyEnum('IntegrationProvider', {
  description: 'A system this product can connect to.',
  values: INTEGRATION_PROVIDERS,
  describe: { PINPOINT: 'Pinpoint ATS (pinpointhq.com).' },
});

export const ConnectionStatusEnum = vocabularyEnum('ConnectionStatus', {
  description: 'Whether an integration can be used right now.',
  values: CONNECTION_STATUSES,
  describe: {
    NOT_CONNECTED: 'Never activated, or deactivated. Nothing is synced.',
    CONNECTED: 'Activated and the key worked at the last call (the green "connected" box).',
    ERROR:
      'The stored key stopped working (see `statusReason`). Syncing is paused until an admin activates again.',
  },
});

export const IntegrationStatusCodeEnum = vocabularyEnum('IntegrationStatusCode', {
  description: 'The machine-readable reason an integration is not simply working.',
  values: INTEGRATION_STATUS_CODES,
  describe: {
    ...authReasonDescriptions,
    UNREACHABLE: 'The last check could not reach Pinpoint (the status stays as it was).',
  },
});

const integrationKey = (view: IntegrationView) => `${view.teamId}:${view.provider}`;

export const IntegrationRef = builder.loadableNode('Integration', {
  description:
    'One provider of the catalog with this team’s connection state. Readable by every team member; only admins change it.',
  id: { resolve: integrationKey },
  sort: integrationKey,
  load: async (keys: string[], ctx) => {
    if (!ctx.viewer) return [];
    const teamId = ctx.viewer.teamId;
    const providers = keys
      .map((k) => k.split(':'))
      .filter(
        ([team, provider]) => team === teamId && (PROVIDERS as readonly string[]).includes(provider ?? ''),
      )
      .map(([, provider]) => provider as Provider);
    return getIntegrations(ctx.db, teamId, providers);
  },
  fields: (t) => ({
    provider: t.field({
      type: IntegrationProviderEnum,
      description: 'Which system this is.',
      resolve: (v) => v.provider,
    }),
    name: t.exposeString('name', { description: 'Display name, e.g. "Pinpoint".' }),
    description: t.exposeString('description', { description: 'One sentence on what connecting it does.' }),
    status: t.field({
      type: ConnectionStatusEnum,
      description: 'Whether the integration works right now.',
      resolve: (v) => v.status,
    }),
    statusCode: t.field({
      type: IntegrationStatusCodeEnum,
      nullable: true,
      resolve: (v) => v.statusCode,
      description:
        'Machine-readable reason for the current state: `INVALID_API_KEY`, `FORBIDDEN` (status ERROR) or `UNREACHABLE` (last check could not reach Pinpoint). Null when all is well.',
    }),
    statusReason: t.exposeString('statusReason', {
      nullable: true,
      description: 'Why the status is what it is, in words to show an admin. Null when all is well.',
    }),
    domain: t.exposeString('domain', {
      nullable: true,
      description: 'The Pinpoint subdomain, e.g. `acme` for acme.pinpointhq.com. Null until activated.',
    }),
    apiKeyHint: t.exposeString('apiKeyHint', {
      nullable: true,
      description:
        'The last four characters of the stored API key, e.g. `••••abcd`. The key itself is never returned.',
    }),
    connectedAt: t.expose('connectedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the current key was activated. Null when not connected.',
    }),
    lastCheckedAt: t.expose('lastCheckedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the key was last verified against Pinpoint (activation or checkIntegration).',
    }),
  }),
});

const PinpointStageRef = builder.objectRef<PinpointStageView>('PinpointStage').implement({
  description: 'A stage of a Pinpoint job’s hiring pipeline.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Pinpoint’s stage id: use it as the `stage` field value.' }),
    name: t.exposeString('name', { description: 'Stage name as shown in Pinpoint.' }),
  }),
});

const PinpointJobRef = builder.objectRef<PinpointJobView>('PinpointJob').implement({
  description: 'An open job in the team’s Pinpoint account.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Pinpoint’s job id: use it as the `job` field value.' }),
    title: t.exposeString('title', { description: 'Job title.' }),
    status: t.string({
      description: 'Pinpoint’s job status (`open` for every job listed here).',
      resolve: (j) => j.status ?? 'open',
    }),
    stages: t.field({
      type: [PinpointStageRef],
      description: 'The job’s stages in pipeline order.',
      resolve: (j) => [...j.stages],
    }),
  }),
});

const PinpointFieldRef = builder.objectRef<PinpointFieldInfo>('PinpointField').implement({
  description: 'A field of a Pinpoint Application or Candidate that users may tag or map contact data to.',
  fields: (t) => ({
    key: t.exposeString('key', {
      description:
        '`job`, `stage`, `tags`, a standard attribute (`first_name`, `phone`, …) or `custom:<id>`.',
    }),
    label: t.exposeString('label', { description: 'Label to show, as Pinpoint names it.' }),
    custom: t.exposeBoolean('custom', { description: 'True for the account’s custom fields.' }),
    resourceType: t.exposeString('resourceType', {
      nullable: true,
      description: '`candidate` or `application`: where the value is stored. Null for job, stage and tags.',
    }),
    fieldType: t.exposeString('fieldType', {
      nullable: true,
      description: 'Pinpoint’s type of a custom field (e.g. `string`, `date`); null for standard fields.',
    }),
  }),
});

builder.queryFields((t) => ({
  integrations: t.field({
    type: [IntegrationRef],
    description:
      'The integrations catalog with this team’s state, filtered by a search text (e.g. "pin"). Any team member.',
    authScopes: { authenticated: true },
    args: {
      search: t.arg.string({ description: 'Case-insensitive text matched against names and keywords.' }),
    },
    resolve: (_root, args, ctx) => getIntegrations(ctx.db, viewerOf(ctx).teamId, searchCatalog(args.search)),
  }),
  integration: t.field({
    type: IntegrationRef,
    description: 'One provider with this team’s state (NOT_CONNECTED when never activated). Any team member.',
    authScopes: { authenticated: true },
    args: {
      provider: t.arg({ type: IntegrationProviderEnum, required: true, description: 'Which provider.' }),
    },
    resolve: (_root, args, ctx) => getIntegration(ctx.db, viewerOf(ctx).teamId, args.provider),
  }),
  pinpointJobs: t.field({
    type: [PinpointJobRef],
    description:
      'Open jobs of the connected Pinpoint account with their stages (cached for a minute). Errors with code `INTEGRATION_NOT_CONNECTED` when Pinpoint is not connected. Any team member.',
    authScopes: { authenticated: true },
    resolve: (_root, _args, ctx) => listPinpointJobs(ctx.services, viewerOf(ctx).teamId),
  }),
  pinpointFields: t.field({
    type: [PinpointFieldRef],
    description:
      'Fields users may tag or map: job, stage, tags, standard attributes and the account’s candidate/application custom fields (cached for a minute). Errors with code `INTEGRATION_NOT_CONNECTED` when Pinpoint is not connected. Any team member.',
    authScopes: { authenticated: true },
    resolve: (_root, _args, ctx) => listPinpointFields(ctx.services, viewerOf(ctx).teamId),
  }),
}));

const ActivatePinpointInput = builder.inputType('ActivatePinpointInput', {
  description: 'What the admin types into the Pinpoint box of the integrations page.',
  fields: (t) => ({
    apiKey: t.string({
      required: true,
      description:
        'A Pinpoint API key (Settings → API & Webhooks → API Keys). Stored encrypted, never returned.',
    }),
    domain: t.string({
      required: true,
      description:
        'The company’s Pinpoint domain: `acme`, `acme.pinpointhq.com` or `https://acme.pinpointhq.com/…`.',
    }),
  }),
});

const providerArg = builder.args((t) => ({
  provider: t.field({ type: IntegrationProviderEnum, required: true, description: 'Which provider.' }),
}));

builder.mutationFields((t) => ({
  activatePinpoint: t.field({
    type: IntegrationRef,
    description:
      'Verifies the key with one cheap Pinpoint call (bounded time) and, if it works, stores it encrypted and answers the CONNECTED integration. Activating again with a new key rotates it and resumes paused syncing. A failure changes nothing. Admins only.',
    authScopes: { admin: true },
    errors: {
      types: [ValidationError, PinpointAuthError, PinpointUnknownDomainError, PinpointUnreachableError],
      union: { description: 'The CONNECTED integration, or why activation failed (nothing was stored).' },
    },
    args: { input: t.arg({ type: ActivatePinpointInput, required: true, description: 'Key and domain.' }) },
    resolve: (_root, args, ctx) => activatePinpoint(ctx, args.input),
  }),
  checkIntegration: t.field({
    type: IntegrationRef,
    description:
      'Re-verifies the stored key now. A refused key turns the status to ERROR (syncing pauses); an outage only sets `statusReason`. Admins only.',
    authScopes: { admin: true },
    errors: {
      types: [IntegrationNotConnectedError],
      union: { description: 'The integration after the check, or IntegrationNotConnectedError.' },
    },
    args: providerArg,
    resolve: (_root, args, ctx) => checkIntegration(ctx, args.provider),
  }),
  deactivateIntegration: t.field({
    type: IntegrationRef,
    description:
      'Forgets the stored key and stops syncing; queued work waits until Pinpoint is activated again. Admins only.',
    authScopes: { admin: true },
    errors: {
      types: [IntegrationNotConnectedError],
      union: { description: 'The NOT_CONNECTED integration, or IntegrationNotConnectedError.' },
    },
    args: providerArg,
    resolve: (_root, args, ctx) => deactivateIntegration(ctx, args.provider),
  }),
}));

builder.subscriptionField('integrationStatusChanged', (t) =>
  t.field({
    type: IntegrationRef,
    description:
      'The integration’s current state at once, then again after every change (activation, check, deactivation, a key failing during sync) — for this team only, whichever server instance made the change. Any team member.',
    authScopes: { authenticated: true },
    args: providerArg,
    subscribe: (_root, args, ctx) => integrationStatusStream(ctx, args.provider),
    resolve: (view, _args, ctx) => {
      freshRequestCache(ctx);
      return view;
    },
  }),
);
