// The sync options as GraphQL fields, from one table: each option's type and wording, and the field
// builders that TeamSettings, UserSettings, SyncOptions, EffectiveSync and their inputs use.
import type { FieldRef, InputFieldRef } from '@pothos/core';
import type { TeamSyncSettings } from '../../domain/types.js';
import type { builder } from '../builder.js';
import {
  ActivityTypeEnum,
  AddApplicationWhenEnum,
  FieldUpdatePolicyEnum,
  OutreachChannelEnum,
} from './enums.js';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

interface SyncOptionDescriptor {
  /** 'Boolean', an enum, or a list of an enum (every list option filters activity notes). */
  readonly type: 'Boolean' | typeof AddApplicationWhenEnum | typeof FieldUpdatePolicyEnum | ListType;
  /** `TeamSettings.<name>`: what the option does, with its default. */
  readonly team: string;
  /** `EffectiveSync.<name>`: the resolved value. */
  readonly effective: string;
  /** `SyncOptions` and `SyncOptionsInput` (campaigns, overrides); absent when they cannot set it. */
  readonly option?: string;
}
type ListType = [typeof ActivityTypeEnum] | [typeof OutreachChannelEnum];

/** Every sync option a team sets and a user may set personally, in one place. */
const SYNC_OPTIONS = {
  syncManualContactUpdates: {
    type: 'Boolean',
    team: 'Whether manual edits of a mapped contact field are pushed to the contact’s Pinpoint candidate. Default: true.',
    effective: 'Whether manual edits of mapped contact fields are pushed (team or owner’s default).',
  },
  addApplicationWhen: {
    type: AddApplicationWhenEnum,
    team: 'When a contact is pushed to Pinpoint as an Application. Default: INTERESTED.',
    effective: 'When the contact is pushed as an Application.',
    option: 'When to push the contact as an Application. Null = inherit.',
  },
  onlyAddNotesToSyncedRecords: {
    type: 'Boolean',
    team: 'True: activity notes are written only on the Application this product created or linked (notes wait until then, none are lost). False: a Pinpoint candidate with the same email receives notes before that. Default: true.',
    effective: 'Notes go only on records this integration created or linked (else held until one exists).',
    option: 'Write notes only on records this integration created or linked. Null = inherit.',
  },
  fieldUpdatePolicy: {
    type: FieldUpdatePolicyEnum,
    team: 'How mapped fields are written to an existing Pinpoint candidate, unless a mapping sets its own `updatePolicy`. Default: ONLY_IF_BLANK.',
    effective: 'Default policy for writing mapped fields to an existing candidate.',
    option: 'How mapped fields are written to an existing Pinpoint candidate. Null = inherit.',
  },
  activityNoteTypes: {
    type: [ActivityTypeEnum],
    team: 'Activity types that create a Pinpoint note. Default: MESSAGE_SENT, REPLY_RECEIVED, MARKED_INTERESTED.',
    effective: 'Activity types that create notes.',
    option: 'Which activity types create notes. An empty list means none; null = inherit.',
  },
  noteChannels: {
    type: [OutreachChannelEnum],
    team: 'Outreach channels whose activities create Pinpoint notes. Default: every channel.',
    effective: 'Outreach channels whose activities create notes.',
    option: 'Which outreach channels create notes. An empty list means none; null = inherit.',
  },
} as const satisfies Record<string, SyncOptionDescriptor>;

export type SyncOptionName = keyof typeof SYNC_OPTIONS;
/** The options a campaign or a per-person override may set (all but `syncManualContactUpdates`). */
export type CampaignOptionName = {
  [K in SyncOptionName]: (typeof SYNC_OPTIONS)[K] extends { option: string } ? K : never;
}[SyncOptionName];

export const SYNC_OPTION_NAMES = Object.keys(SYNC_OPTIONS) as readonly SyncOptionName[];
export const CAMPAIGN_OPTION_NAMES = SYNC_OPTION_NAMES.filter(
  (name): name is CampaignOptionName => 'option' in SYNC_OPTIONS[name],
);

/** Where a field is declared: decides its description and whether it may be null. */
type OutputUsage = 'team' | 'personal' | 'option' | 'effective';
type InputUsage = 'teamInput' | 'personalInput' | 'option';

function describe(name: SyncOptionName, usage: OutputUsage | InputUsage): string {
  const d: SyncOptionDescriptor = SYNC_OPTIONS[name];
  const list = Array.isArray(d.type);
  switch (usage) {
    case 'team':
      return d.team;
    case 'effective':
      return d.effective;
    case 'option':
      if (!d.option) throw new Error(`${name} is not a campaign option`);
      return d.option;
    case 'personal':
      return `Personal choice for \`TeamSettings.${name}\`; null: the team’s.${list ? ' An empty list means “no notes”.' : ''}`;
    case 'teamInput':
      return `See \`TeamSettings.${name}\`${list ? '; an empty list turns activity notes off' : ''}.`;
    case 'personalInput':
      return `See \`UserSettings.${name}\`.`;
  }
}

/** Lists are copied (the domain's are readonly); an unset option reads as null. */
function outputValue(value: unknown): unknown {
  return Array.isArray(value) ? [...value] : (value ?? null);
}

/**
 * The output fields for `names`, read from `source(parent)`. Nullable everywhere except on the
 * team's settings and the resolved `EffectiveSync`, which always hold a value.
 */
export function syncOptionFields<Parent, N extends SyncOptionName>(
  t: PothosSchemaTypes.ObjectFieldBuilder<Types, Parent>,
  usage: OutputUsage,
  names: readonly N[],
  source: (parent: Parent) => { readonly [K in N]?: unknown },
): Record<N, FieldRef<Types, unknown, 'Object'>> {
  const nullable = usage === 'personal' || usage === 'option';
  // Pothos infers a field's shape from a literal type; the table's types are a union, so the casts
  // below only quiet that inference, and the declared return type states what callers get.
  const entries = names.map((name) => {
    const field = t.field({
      type: SYNC_OPTIONS[name].type as 'Boolean',
      nullable: nullable as false,
      description: describe(name, usage),
      resolve: (parent) => outputValue(source(parent)[name]) as boolean,
    });
    return [name, field] as const;
  });
  return Object.fromEntries(entries) as Record<N, FieldRef<Types, unknown, 'Object'>>;
}

/** What GraphQL hands a resolver for option `N` (lists arrive as plain arrays). */
type InputValue<N extends SyncOptionName> = TeamSyncSettings[N] extends readonly (infer E)[]
  ? E[]
  : TeamSyncSettings[N];

/** The optional input fields for `names` (null or absent: no change, or "inherit"). */
export function syncOptionInputFields<N extends SyncOptionName>(
  t: PothosSchemaTypes.InputFieldBuilder<Types, 'InputObject'>,
  usage: InputUsage,
  names: readonly N[],
): { [K in N]: InputFieldRef<Types, InputValue<K> | null | undefined> } {
  const entries = names.map((name) => {
    const field = t.field({ type: SYNC_OPTIONS[name].type as 'Boolean', description: describe(name, usage) });
    return [name, field] as const;
  });
  return Object.fromEntries(entries) as { [K in N]: InputFieldRef<Types, InputValue<K> | null | undefined> };
}
