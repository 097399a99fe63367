// Tags (field values), per-campaign/per-person sync options and the resolved EffectiveSync with the
// source of every setting, shared by Campaign and CampaignContact.
import type { FieldValueInput, SyncOptionsInput } from '../../app/campaigns.js';
import type { EffectiveSync, FieldValue, SettingSourceEntry, SyncOptions } from '../../domain/types.js';
import { builder } from '../builder.js';
import { SettingSourceEnum, SyncAsEnum } from './sync-enums.js';
import {
  CAMPAIGN_OPTION_NAMES,
  SYNC_OPTION_NAMES,
  syncOptionFields,
  syncOptionInputFields,
} from './sync-options.js';

export const FieldValueRef = builder.objectRef<FieldValue>('FieldValue').implement({
  description:
    'A tag every pushed Application carries: a Pinpoint field and its value. `job` and `stage` take a Pinpoint id in `value`; `tags` takes `values`; a custom field takes either.',
  fields: (t) => ({
    field: t.exposeString('field', {
      description: 'A `PinpointField.key`: `job`, `stage`, `tags` or `custom:<id>`.',
    }),
    value: t.exposeString('value', {
      nullable: true,
      description:
        'The single value (a job or stage id, or a custom field’s text). Null when `values` is used.',
    }),
    values: t.exposeStringList('values', {
      nullable: true,
      description: 'The list value (tags, multi-select custom fields). Null when `value` is used.',
    }),
  }),
});

export const FieldValueInputRef = builder.inputRef<FieldValueInput>('FieldValueInput').implement({
  description:
    'A tag to set: `field` is a `PinpointField.key`; give exactly one of `value` (job, stage, custom) or `values` (tags, custom). An empty value on an override clears the campaign’s tag for that person.',
  fields: (t) => ({
    field: t.string({ required: true, description: '`job`, `stage`, `tags` or `custom:<id>`.' }),
    value: t.string({ description: 'The single value, at most 500 characters.' }),
    values: t.stringList({ description: 'The list value: at most 100 entries of 1–200 characters.' }),
  }),
});

export const SyncOptionsRef = builder.objectRef<SyncOptions>('SyncOptions').implement({
  description:
    'Sync settings a campaign or a per-person override sets for itself; each null means "inherit" (from the campaign, the owner’s personal defaults or the team).',
  fields: (t) => syncOptionFields(t, 'option', CAMPAIGN_OPTION_NAMES, (o) => o),
});

export const SyncOptionsInputRef = builder.inputRef<SyncOptionsInput>('SyncOptionsInput').implement({
  description:
    'Sync settings to set on a campaign or a per-person override; leave a field out or null to inherit it. While the team is locked for non-admins, only admins may send options.',
  fields: (t) => syncOptionInputFields(t, 'option', CAMPAIGN_OPTION_NAMES),
});

const SettingSourceEntryRef = builder.objectRef<SettingSourceEntry>('SettingSourceEntry').implement({
  description: 'Where one resolved setting came from, so the UI can say "inherited from team".',
  fields: (t) => ({
    setting: t.exposeString('setting', {
      description:
        'An `EffectiveSync` field name (e.g. `addApplicationWhen`), or `fieldValues.<field>` for a tag.',
    }),
    source: t.field({
      type: SettingSourceEnum,
      description: 'The level the value came from.',
      resolve: (e) => e.source,
    }),
  }),
});

export const EffectiveSyncRef = builder.objectRef<EffectiveSync>('EffectiveSync').implement({
  description:
    'The sync settings that actually apply, resolved by precedence: person override > campaign > campaign owner’s personal defaults > team defaults (while the team is locked, options set by members and members’ personal defaults are ignored). Use it instead of re-implementing the rules.',
  fields: (t) => ({
    syncAs: t.field({
      type: SyncAsEnum,
      description: 'Whether the contact is pushed.',
      resolve: (e) => e.syncAs,
    }),
    ...syncOptionFields(t, 'effective', SYNC_OPTION_NAMES, (e) => e),
    suppressPinpointNotifications: t.exposeBoolean('suppressPinpointNotifications', {
      description: 'Whether pushes ask Pinpoint not to send notifications (team setting).',
    }),
    mandatoryFields: t.exposeStringList('mandatoryFields', {
      description: 'Field keys that must be filled before a push (team setting).',
    }),
    fieldValues: t.field({
      type: [FieldValueRef],
      description: 'The tags a push carries: the campaign’s, with the override’s merged over them by field.',
      resolve: (e) => [...e.fieldValues],
    }),
    sources: t.field({
      type: [SettingSourceEntryRef],
      description: 'Where each setting above (and each tag, as `fieldValues.<field>`) came from.',
      resolve: (e) => [...e.sources],
    }),
  }),
});
