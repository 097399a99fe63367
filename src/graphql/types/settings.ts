// Team settings, personal defaults and the contact → Pinpoint field mapping: the integration
// settings page. Members read the team's settings; admins change them.
import {
  getMySettings,
  getTeamSettings,
  resetFieldMappings,
  setFieldMappings,
  type TeamSettingsRecord,
  updateMySettings,
  updateTeamSettings,
} from '../../app/settings.js';
import { type Context, viewerOf } from '../../context.js';
import type { FieldMapping, UserSyncSettings } from '../../domain/types.js';
import { SettingsLockedError, ValidationError } from '../../errors.js';
import { builder } from '../builder.js';
import { ContactVariableEnum, FieldUpdatePolicyEnum } from './enums.js';
import { SYNC_OPTION_NAMES, syncOptionFields, syncOptionInputFields } from './sync-options.js';

export const FieldMappingRef = builder.objectRef<FieldMapping>('FieldMapping').implement({
  description:
    'One line of the contact field mapping: when a contact is pushed (or a mapped field is edited), the value of `variable` is written to the Pinpoint field `pinpointField`.',
  fields: (t) => ({
    pinpointField: t.exposeString('pinpointField', {
      description:
        'The Pinpoint field written: a standard attribute (`first_name`, `last_name`, `email`, `phone`, `linkedin_url`, `address1`, `town`, `country`, `postcode`) or `custom:<id>` for a custom field (see `pinpointFields`).',
    }),
    variable: t.field({
      type: ContactVariableEnum,
      description: 'The contact field whose value is written.',
      resolve: (m) => m.variable,
    }),
    updatePolicy: t.field({
      type: FieldUpdatePolicyEnum,
      nullable: true,
      description:
        'How this field is written to an existing Pinpoint candidate. Null: the effective `fieldUpdatePolicy` applies (team default, personal default or campaign option).',
      resolve: (m) => m.updatePolicy,
    }),
  }),
});

/** The team's settings with the team they belong to, which is their identity. */
interface TeamSettingsView extends TeamSettingsRecord {
  readonly teamId: string;
}

/** The viewer's personal defaults with their user, which is their identity. */
interface UserSettingsView extends UserSyncSettings {
  readonly userId: string;
}

const teamView = async (ctx: Context, record: Promise<TeamSettingsRecord>): Promise<TeamSettingsView> => ({
  ...(await record),
  teamId: viewerOf(ctx).teamId,
});

const userView = async (ctx: Context, settings: Promise<UserSyncSettings>): Promise<UserSettingsView> => ({
  ...(await settings),
  userId: viewerOf(ctx).userId,
});

export const TeamSettingsRef = builder.loadableNode('TeamSettings', {
  // Keyed by team: a client cache (Apollo's InMemoryCache) merges every answer into one object.
  id: {
    resolve: (view: TeamSettingsView) => view.teamId,
    description:
      'Global id of the team’s settings: the same in every answer, so a client cache updates one object (pass it to `node(id)` to refetch).',
  },
  sort: (view) => view.teamId,
  // Only the viewer's own team: any other id is another team's and answers null.
  load: async (ids: string[], ctx) =>
    ctx.viewer && ids.includes(ctx.viewer.teamId) ? [await teamView(ctx, getTeamSettings(ctx))] : [],
  description:
    'The team’s Pinpoint sync settings, with defaults filled in for anything never changed. Every team member can read them; only admins change them (`updateTeamSettings`, `setFieldMappings`, `resetFieldMappings`). Campaigns, personal defaults and per-person overrides may override some of them; see `EffectiveSync`.',
  fields: (t) => ({
    ...syncOptionFields(t, 'team', SYNC_OPTION_NAMES, (r) => r.settings),
    displayedFields: t.stringList({
      description:
        'Pinpoint field keys users may tag on campaigns and contacts: `job`, `stage`, `tags` or `custom:<id>`. Default: `["job", "stage"]`.',
      resolve: (r) => [...r.settings.displayedFields],
    }),
    mandatoryFields: t.stringList({
      description:
        'Field keys that must have a value before a contact is pushed (always a subset of `displayedFields`); a contact lacking one is BLOCKED. Default: `["job"]`.',
      resolve: (r) => [...r.settings.mandatoryFields],
    }),
    suppressPinpointNotifications: t.boolean({
      description:
        'Whether Applications are created without Pinpoint’s “application received” emails and notifications. Default: true.',
      resolve: (r) => r.settings.suppressPinpointNotifications,
    }),
    lockedForMembers: t.boolean({
      description:
        'True: members cannot change sync options on campaigns or per-person overrides, nor their personal defaults (admins still can). Default: false.',
      resolve: (r) => r.settings.lockedForMembers,
    }),
    stopOutreachOnAtsOutcome: t.boolean({
      description:
        'True: when Pinpoint says a contact’s application was hired, rejected or withdrawn, the campaign contact is marked `outreachStopped` so the outreach engine stops messaging them. Default: true.',
      resolve: (r) => r.settings.stopOutreachOnAtsOutcome,
    }),
    fieldMappings: t.field({
      type: [FieldMappingRef],
      description:
        'Which contact field is written to which Pinpoint field. Default: first name, last name, email, phone and LinkedIn URL to their Pinpoint attributes. Change with `setFieldMappings`.',
      resolve: (r) => [...r.fieldMappings],
    }),
    defaultFieldMappings: t.boolean({
      description:
        'True while the team uses the default field mapping (never changed, or reset with `resetFieldMappings`).',
      resolve: (r) => r.defaultMappings,
    }),
  }),
});

export const UserSettingsRef = builder.loadableNode('UserSettings', {
  id: {
    resolve: (view: UserSettingsView) => view.userId,
    description:
      'Global id of your personal defaults: the same in every answer, so a client cache updates one object (pass it to `node(id)` to refetch; only you can).',
  },
  sort: (view) => view.userId,
  // Personal defaults are the viewer's own: a teammate's id answers null, like another team's.
  load: async (ids: string[], ctx) =>
    ctx.viewer && ids.includes(ctx.viewer.userId) ? [await userView(ctx, getMySettings(ctx))] : [],
  description:
    'The signed-in user’s personal defaults, applied to campaigns they own. Every field is null unless the user set it; null means the team’s setting applies. Ignored for members while the team is locked (`lockedForMembers`).',
  fields: (t) => syncOptionFields(t, 'personal', SYNC_OPTION_NAMES, (s) => s),
});

const TeamSettingsInput = builder.inputType('TeamSettingsInput', {
  description:
    'A partial update of the team settings: only the fields you send change. Null is refused for every field (leave the field out instead). Lists are de-duplicated.',
  fields: (t) => ({
    ...syncOptionInputFields(t, 'teamInput', SYNC_OPTION_NAMES),
    displayedFields: t.stringList({
      description:
        '`job`, `stage`, `tags` or `custom:<id>` of a candidate or application custom field (Pinpoint must be connected for custom fields). Must keep every mandatory field.',
    }),
    mandatoryFields: t.stringList({
      description:
        'Keys as for `displayedFields`; each must also be displayed (after this update). May be empty.',
    }),
    suppressPinpointNotifications: t.boolean({
      description: 'See `TeamSettings.suppressPinpointNotifications`.',
    }),
    lockedForMembers: t.boolean({ description: 'See `TeamSettings.lockedForMembers`.' }),
    stopOutreachOnAtsOutcome: t.boolean({
      description: 'See `TeamSettings.stopOutreachOnAtsOutcome`.',
    }),
  }),
});

const UserSettingsInput = builder.inputType('UserSettingsInput', {
  description:
    'A partial update of your personal defaults: fields you leave out keep their value; null clears one (the team’s setting applies again). Lists are de-duplicated.',
  fields: (t) => syncOptionInputFields(t, 'personalInput', SYNC_OPTION_NAMES),
});

const FieldMappingInput = builder.inputType('FieldMappingInput', {
  description: 'One line of the field mapping (see `FieldMapping`).',
  fields: (t) => ({
    pinpointField: t.string({
      required: true,
      description:
        'The Pinpoint field to write. FIRST_NAME, LAST_NAME, EMAIL, PHONE and LINKEDIN_URL map to their own attribute (`first_name`, …) or a custom field; COMPANY and JOB_TITLE only to a `custom:<id>` candidate field; LOCATION to a candidate custom field or `address1`, `town`, `country`, `postcode`. Each Pinpoint field at most once.',
    }),
    variable: t.field({
      type: ContactVariableEnum,
      required: true,
      description: 'The contact field whose value is written.',
    }),
    updatePolicy: t.field({
      type: FieldUpdatePolicyEnum,
      description: 'Overrides the effective `fieldUpdatePolicy` for this field; null or absent: no override.',
    }),
  }),
});

builder.queryFields((t) => ({
  teamSettings: t.field({
    type: TeamSettingsRef,
    description: 'The team’s sync settings and field mapping, defaults filled in. Any team member.',
    authScopes: { authenticated: true },
    resolve: (_root, _args, ctx) => teamView(ctx, getTeamSettings(ctx)),
  }),
  mySettings: t.field({
    type: UserSettingsRef,
    description: 'The signed-in user’s personal defaults (all null until set). Any team member.',
    authScopes: { authenticated: true },
    resolve: (_root, _args, ctx) => userView(ctx, getMySettings(ctx)),
  }),
}));

builder.mutationFields((t) => ({
  updateTeamSettings: t.field({
    type: TeamSettingsRef,
    description:
      'Changes the team settings you send and keeps the others. Answers the whole settings, or a ValidationError naming each bad field (nothing changed). Custom field keys are checked against Pinpoint; if it does not answer, the call fails with code `PINPOINT_UNAVAILABLE` (retry). Admins only (members: FORBIDDEN).',
    authScopes: { admin: true },
    errors: {
      types: [ValidationError],
      union: { description: 'The updated team settings, or why nothing was changed.' },
    },
    args: {
      input: t.arg({ type: TeamSettingsInput, required: true, description: 'The settings to change.' }),
    },
    resolve: (_root, args, ctx) => teamView(ctx, updateTeamSettings(ctx, args.input)),
  }),
  updateMySettings: t.field({
    type: UserSettingsRef,
    description:
      'Sets or clears (null) your personal defaults; fields left out keep their value. Any team member; while the team is locked, members get SettingsLockedError (admins may still change theirs).',
    authScopes: { authenticated: true },
    errors: {
      types: [ValidationError, SettingsLockedError],
      union: { description: 'Your updated personal defaults, or why nothing was changed.' },
    },
    args: {
      input: t.arg({ type: UserSettingsInput, required: true, description: 'The defaults to set or clear.' }),
    },
    resolve: (_root, args, ctx) => userView(ctx, updateMySettings(ctx, args.input)),
  }),
  setFieldMappings: t.field({
    type: TeamSettingsRef,
    description:
      'Replaces the whole field mapping with the list sent; EMAIL must stay mapped to `email`. Answers the team settings, or a ValidationError naming each bad entry (nothing changed). Custom fields are checked against Pinpoint; if it does not answer, the call fails with code `PINPOINT_UNAVAILABLE` (retry). Admins only (members: FORBIDDEN).',
    authScopes: { admin: true },
    errors: {
      types: [ValidationError],
      union: { description: 'The team settings with the new mapping, or why nothing was changed.' },
    },
    args: {
      input: t.arg({
        type: [FieldMappingInput],
        required: true,
        description: 'The complete new mapping, at most 50 entries.',
      }),
    },
    resolve: (_root, args, ctx) => teamView(ctx, setFieldMappings(ctx, args.input)),
  }),
  resetFieldMappings: t.field({
    type: TeamSettingsRef,
    description:
      'Returns the field mapping to the default (first/last name, email, phone, LinkedIn URL). Answers the team settings. Admins only (members: FORBIDDEN).',
    authScopes: { admin: true },
    errors: {
      types: [ValidationError],
      union: {
        description:
          'The team settings with the default mapping. ValidationError is reserved; reset does not return it today.',
      },
    },
    resolve: (_root, _args, ctx) => teamView(ctx, resetFieldMappings(ctx)),
  }),
}));
