// Settings resolution: precedence and lock rules as properties over random settings at every level,
// plus the defaults, tag merging and the mandatory-field check.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FIELD_MAPPINGS,
  type EffectiveSyncInput,
  fieldUpdatePolicyFor,
  missingMandatoryFields,
  resolveCampaignEffectiveSync,
  resolveEffectiveSync,
  SYNC_OPTION_KEYS,
  sourceOf,
  TEAM_SETTINGS_DEFAULTS,
} from '../../../src/domain/settings.js';
import {
  ACTIVITY_TYPES,
  ADD_APPLICATION_WHEN,
  type ContactData,
  FIELD_UPDATE_POLICIES,
  type FieldValue,
  OUTREACH_CHANNELS,
  type SettingSource,
  SYNC_AS,
  type SyncOptions,
  type TeamSyncSettings,
  type UserSyncSettings,
} from '../../../src/domain/types.js';

// ---------------------------------------------------------------------------------------------------
// Arbitraries

const orNull = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });

const optionValueArbs = {
  addApplicationWhen: fc.constantFrom(...ADD_APPLICATION_WHEN),
  onlyAddNotesToSyncedRecords: fc.boolean(),
  fieldUpdatePolicy: fc.constantFrom(...FIELD_UPDATE_POLICIES),
  activityNoteTypes: fc.subarray([...ACTIVITY_TYPES]),
  noteChannels: fc.subarray([...OUTREACH_CHANNELS]),
};

// Keys may be absent, null or set: absent and null both mean "inherit".
const syncOptionsArb: fc.Arbitrary<SyncOptions> = fc.record(
  {
    addApplicationWhen: orNull(optionValueArbs.addApplicationWhen),
    onlyAddNotesToSyncedRecords: orNull(optionValueArbs.onlyAddNotesToSyncedRecords),
    fieldUpdatePolicy: orNull(optionValueArbs.fieldUpdatePolicy),
    activityNoteTypes: orNull(optionValueArbs.activityNoteTypes),
    noteChannels: orNull(optionValueArbs.noteChannels),
  },
  { requiredKeys: [] },
);

const userSettingsArb: fc.Arbitrary<UserSyncSettings> = fc.record(
  {
    syncManualContactUpdates: orNull(fc.boolean()),
    addApplicationWhen: orNull(optionValueArbs.addApplicationWhen),
    onlyAddNotesToSyncedRecords: orNull(optionValueArbs.onlyAddNotesToSyncedRecords),
    fieldUpdatePolicy: orNull(optionValueArbs.fieldUpdatePolicy),
    activityNoteTypes: orNull(optionValueArbs.activityNoteTypes),
    noteChannels: orNull(optionValueArbs.noteChannels),
  },
  { requiredKeys: [] },
);

const fieldKeyArb = fc.constantFrom('job', 'stage', 'tags', 'custom:1', 'custom:2');
const fieldValueArb: fc.Arbitrary<FieldValue> = fc.record({
  field: fieldKeyArb,
  value: orNull(fc.string({ maxLength: 4 })),
  values: orNull(fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 })),
});
// One entry per field, as the app layer stores them.
const fieldValuesArb = fc.uniqueArray(fieldValueArb, { selector: (fv) => fv.field, maxLength: 4 });

const teamArb: fc.Arbitrary<TeamSyncSettings> = fc.record({
  syncManualContactUpdates: fc.boolean(),
  addApplicationWhen: optionValueArbs.addApplicationWhen,
  onlyAddNotesToSyncedRecords: fc.boolean(),
  displayedFields: fc.constant(['job', 'stage', 'custom:1']),
  mandatoryFields: fc.subarray(['job', 'stage', 'custom:1']),
  fieldUpdatePolicy: optionValueArbs.fieldUpdatePolicy,
  activityNoteTypes: optionValueArbs.activityNoteTypes,
  noteChannels: optionValueArbs.noteChannels,
  suppressPinpointNotifications: fc.boolean(),
  lockedForMembers: fc.boolean(),
  stopOutreachOnAtsOutcome: fc.boolean(),
});

const inputArb: fc.Arbitrary<EffectiveSyncInput> = fc.record({
  team: teamArb,
  owner: fc.record({ isAdmin: fc.boolean(), settings: orNull(userSettingsArb) }),
  campaign: fc.record({
    syncAs: fc.constantFrom(...SYNC_AS),
    options: orNull(syncOptionsArb),
    optionsSetByAdmin: fc.boolean(),
    fieldValues: fieldValuesArb,
  }),
  override: orNull(
    fc.record({
      syncAs: orNull(fc.constantFrom(...SYNC_AS)),
      options: orNull(syncOptionsArb),
      optionsSetByAdmin: fc.boolean(),
      fieldValues: fieldValuesArb,
    }),
  ),
});

const isSet = (v: unknown) => v !== null && v !== undefined;

// ---------------------------------------------------------------------------------------------------

describe('resolveEffectiveSync precedence', () => {
  it('takes each option from the most specific level that sets it, and names that level', () => {
    fc.assert(
      fc.property(inputArb.map(unlocked), (input) => {
        const effective = resolveEffectiveSync(input);
        for (const key of SYNC_OPTION_KEYS) {
          const levels: [SettingSource, SyncOptions | null | undefined][] = [
            ['OVERRIDE', input.override?.options],
            ['CAMPAIGN', input.campaign.options],
            ['USER', input.owner.settings],
          ];
          const winner = levels.find(([, options]) => isSet(options?.[key]));
          const expected = winner ? winner[1]?.[key] : input.team[key];
          expect(effective[key]).toEqual(expected);
          expect(sourceOf(effective, key)).toBe(winner ? winner[0] : 'TEAM');
        }
      }),
    );
  });

  it('falls back to the team default for every option that no level sets', () => {
    fc.assert(
      fc.property(teamArb, fc.boolean(), (team, isAdmin) => {
        const effective = resolveEffectiveSync({
          team,
          owner: { isAdmin, settings: {} },
          campaign: { syncAs: 'APPLICATION', options: {}, optionsSetByAdmin: isAdmin, fieldValues: [] },
          override: {
            syncAs: null,
            options: { addApplicationWhen: null, noteChannels: null },
            optionsSetByAdmin: false,
            fieldValues: [],
          },
        });
        for (const key of [...SYNC_OPTION_KEYS, 'syncManualContactUpdates'] as const) {
          expect(effective[key]).toEqual(team[key]);
          expect(sourceOf(effective, key)).toBe('TEAM');
        }
      }),
    );
  });

  it('takes syncManualContactUpdates from the owner when set, else the team, never from a campaign', () => {
    fc.assert(
      fc.property(inputArb.map(unlocked), (input) => {
        const effective = resolveEffectiveSync(input);
        const own = input.owner.settings?.syncManualContactUpdates;
        expect(effective.syncManualContactUpdates).toBe(
          isSet(own) ? own : input.team.syncManualContactUpdates,
        );
        expect(sourceOf(effective, 'syncManualContactUpdates')).toBe(isSet(own) ? 'USER' : 'TEAM');
      }),
    );
  });

  it('takes Sync as from the override when set, else the campaign, whatever the lock', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const effective = resolveEffectiveSync(input);
        const fromOverride = isSet(input.override?.syncAs);
        expect(effective.syncAs).toBe(input.override?.syncAs ?? input.campaign.syncAs);
        expect(sourceOf(effective, 'syncAs')).toBe(fromOverride ? 'OVERRIDE' : 'CAMPAIGN');
      }),
    );
  });

  it('takes team-only settings from the team', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const effective = resolveEffectiveSync(input);
        expect(effective.suppressPinpointNotifications).toBe(input.team.suppressPinpointNotifications);
        expect(effective.mandatoryFields).toEqual(input.team.mandatoryFields);
        expect(sourceOf(effective, 'suppressPinpointNotifications')).toBe('TEAM');
        expect(sourceOf(effective, 'mandatoryFields')).toBe('TEAM');
      }),
    );
  });

  it("merges tags by field with the override's winning, whatever the lock", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const effective = resolveEffectiveSync(input);
        const overrideTags = input.override?.fieldValues ?? [];
        const fields = new Set([...input.campaign.fieldValues, ...overrideTags].map((fv) => fv.field));
        expect(effective.fieldValues.map((fv) => fv.field).sort()).toEqual([...fields].sort());
        for (const fv of effective.fieldValues) {
          const fromOverride = overrideTags.find((o) => o.field === fv.field);
          const expected = fromOverride ?? input.campaign.fieldValues.find((c) => c.field === fv.field);
          expect(fv).toEqual(expected);
          expect(sourceOf(effective, `fieldValues.${fv.field}`)).toBe(fromOverride ? 'OVERRIDE' : 'CAMPAIGN');
        }
      }),
    );
  });

  it('lists exactly one source per resolved setting and per tag', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const effective = resolveEffectiveSync(input);
        const names = effective.sources.map((s) => s.setting);
        expect(new Set(names).size).toBe(names.length);
        expect(names).toEqual([
          'syncAs',
          ...SYNC_OPTION_KEYS,
          'syncManualContactUpdates',
          'suppressPinpointNotifications',
          'mandatoryFields',
          ...effective.fieldValues.map((fv) => `fieldValues.${fv.field}`),
        ]);
      }),
    );
  });
});

describe('resolveEffectiveSync lock for non-admins', () => {
  const lockedInput = inputArb.map((input) => ({
    ...input,
    team: { ...input.team, lockedForMembers: true },
  }));

  it("never lets a member owner's personal defaults win while the team is locked", () => {
    fc.assert(
      fc.property(lockedInput, (input) => {
        const effective = resolveEffectiveSync({ ...input, owner: { ...input.owner, isAdmin: false } });
        expect(effective.sources.some((s) => s.source === 'USER')).toBe(false);
      }),
    );
  });

  it('never lets options set by a member win while the team is locked', () => {
    fc.assert(
      fc.property(lockedInput, (input) => {
        const effective = resolveEffectiveSync({
          ...input,
          campaign: { ...input.campaign, optionsSetByAdmin: false },
          override: input.override && { ...input.override, optionsSetByAdmin: false },
        });
        for (const key of SYNC_OPTION_KEYS) {
          expect(['TEAM', 'USER']).toContain(sourceOf(effective, key));
        }
      }),
    );
  });

  it('still applies options set by an admin, and an admin owner’s defaults, while locked', () => {
    fc.assert(
      fc.property(lockedInput, (input) => {
        const asAdmin: EffectiveSyncInput = {
          ...input,
          owner: { ...input.owner, isAdmin: true },
          campaign: { ...input.campaign, optionsSetByAdmin: true },
          override: input.override && { ...input.override, optionsSetByAdmin: true },
        };
        const unlockedTwin = { ...asAdmin, team: { ...asAdmin.team, lockedForMembers: false } };
        expect(resolveEffectiveSync(asAdmin)).toEqual(resolveEffectiveSync(unlockedTwin));
      }),
    );
  });

  it('restores every member-set level when the team is unlocked', () => {
    fc.assert(
      fc.property(lockedInput, (input) => {
        const unlockedInput = unlocked(input);
        const allAdmin: EffectiveSyncInput = {
          ...unlockedInput,
          owner: { ...input.owner, isAdmin: true },
          campaign: { ...input.campaign, optionsSetByAdmin: true },
          override: input.override && { ...input.override, optionsSetByAdmin: true },
        };
        // Unlocked, who set what no longer matters.
        expect(resolveEffectiveSync(unlockedInput)).toEqual(resolveEffectiveSync(allAdmin));
      }),
    );
  });

  it("under a lock, ignores a member's campaign options and defaults but keeps an admin's override", () => {
    const effective = resolveEffectiveSync({
      team: { ...TEAM_SETTINGS_DEFAULTS, lockedForMembers: true },
      owner: {
        isAdmin: false,
        settings: { addApplicationWhen: 'ADDED_TO_CAMPAIGN', fieldUpdatePolicy: 'ALWAYS_UPDATE' },
      },
      campaign: {
        syncAs: 'APPLICATION',
        options: { addApplicationWhen: 'REPLIED', onlyAddNotesToSyncedRecords: false },
        optionsSetByAdmin: false,
        fieldValues: [{ field: 'job', value: '12', values: null }],
      },
      override: {
        syncAs: 'DO_NOT_SYNC',
        options: { onlyAddNotesToSyncedRecords: false },
        optionsSetByAdmin: true,
        fieldValues: [],
      },
    });
    expect(effective).toMatchObject({
      syncAs: 'DO_NOT_SYNC',
      addApplicationWhen: 'INTERESTED',
      fieldUpdatePolicy: 'ONLY_IF_BLANK',
      onlyAddNotesToSyncedRecords: false,
      fieldValues: [{ field: 'job', value: '12', values: null }],
    });
    expect(sourceOf(effective, 'onlyAddNotesToSyncedRecords')).toBe('OVERRIDE');
    expect(sourceOf(effective, 'addApplicationWhen')).toBe('TEAM');
  });
});

function unlocked(input: EffectiveSyncInput): EffectiveSyncInput {
  return { ...input, team: { ...input.team, lockedForMembers: false } };
}

describe('team defaults and field mappings', () => {
  it('match the settings table of the design', () => {
    expect(TEAM_SETTINGS_DEFAULTS).toEqual({
      syncManualContactUpdates: true,
      addApplicationWhen: 'INTERESTED',
      onlyAddNotesToSyncedRecords: true,
      displayedFields: ['job', 'stage'],
      mandatoryFields: ['job'],
      fieldUpdatePolicy: 'ONLY_IF_BLANK',
      activityNoteTypes: ['MESSAGE_SENT', 'REPLY_RECEIVED', 'MARKED_INTERESTED'],
      noteChannels: ['EMAIL', 'LINKEDIN', 'INMAIL', 'SMS', 'CALL'],
      suppressPinpointNotifications: true,
      lockedForMembers: false,
      stopOutreachOnAtsOutcome: true,
    });
  });

  it('are frozen so no caller can change them for every team', () => {
    expect(() => (TEAM_SETTINGS_DEFAULTS.noteChannels as string[]).push('FAX')).toThrow(TypeError);
    expect(Object.isFrozen(DEFAULT_FIELD_MAPPINGS[0])).toBe(true);
  });

  it('map first name, last name, email, phone and LinkedIn URL by default, with the team policy', () => {
    expect(DEFAULT_FIELD_MAPPINGS.map((m) => [m.pinpointField, m.variable, m.updatePolicy])).toEqual([
      ['first_name', 'FIRST_NAME', null],
      ['last_name', 'LAST_NAME', null],
      ['email', 'EMAIL', null],
      ['phone', 'PHONE', null],
      ['linkedin_url', 'LINKEDIN_URL', null],
    ]);
  });

  it("give a field its mapping's own policy, else the effective default", () => {
    const mappings = [
      { pinpointField: 'email', variable: 'EMAIL', updatePolicy: 'ALWAYS_UPDATE' },
      { pinpointField: 'phone', variable: 'PHONE', updatePolicy: null },
    ] as const;
    const effective = { fieldUpdatePolicy: 'ONLY_IF_BLANK' } as const;
    expect(fieldUpdatePolicyFor('email', mappings, effective)).toBe('ALWAYS_UPDATE');
    expect(fieldUpdatePolicyFor('phone', mappings, effective)).toBe('ONLY_IF_BLANK');
    expect(fieldUpdatePolicyFor('custom:9', mappings, effective)).toBe('ONLY_IF_BLANK');
  });

  it('resolve a campaign without an override from the campaign, owner and team only', () => {
    const effective = resolveCampaignEffectiveSync({
      team: TEAM_SETTINGS_DEFAULTS,
      owner: { isAdmin: false, settings: { noteChannels: ['EMAIL'] } },
      campaign: { syncAs: 'APPLICATION', options: null, optionsSetByAdmin: false, fieldValues: [] },
    });
    expect(effective.noteChannels).toEqual(['EMAIL']);
    expect(sourceOf(effective, 'noteChannels')).toBe('USER');
    expect(effective.sources.some((s) => s.source === 'OVERRIDE')).toBe(false);
  });
});

describe('missingMandatoryFields', () => {
  const contact: ContactData = {
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: 'ada@example.com',
    phone: null,
    company: 'Analytical Engines',
    jobTitle: '  ',
    location: null,
    linkedinUrl: null,
  };
  const job: FieldValue = { field: 'job', value: '12', values: null };
  const mappings = [
    ...DEFAULT_FIELD_MAPPINGS,
    { pinpointField: 'custom:7', variable: 'COMPANY', updatePolicy: null },
    { pinpointField: 'custom:8', variable: 'JOB_TITLE', updatePolicy: null },
  ] as const;

  it.each([
    {
      name: 'nothing when the contact and tags fill everything',
      mandatory: ['job'],
      tags: [job],
      over: {},
      missing: [],
    },
    {
      name: "Pinpoint's required name and email when the contact lacks them",
      mandatory: ['job'],
      tags: [job],
      over: { firstName: null, lastName: ' ', email: '' },
      missing: ['first_name', 'last_name', 'email'],
    },
    {
      name: 'the job even when the team made nothing mandatory',
      mandatory: [],
      tags: [],
      over: {},
      missing: ['job'],
    },
    {
      name: 'a mandatory stage or tags without a value',
      mandatory: ['job', 'stage', 'tags'],
      tags: [
        job,
        { field: 'stage', value: null, values: null },
        { field: 'tags', value: null, values: ['', ' '] },
      ],
      over: {},
      missing: ['stage', 'tags'],
    },
    {
      name: 'nothing for tags given as a list',
      mandatory: ['job', 'tags'],
      tags: [job, { field: 'tags', value: null, values: ['outreach'] }],
      over: {},
      missing: [],
    },
    {
      name: 'nothing for a custom field tagged on the campaign',
      mandatory: ['job', 'custom:9'],
      tags: [job, { field: 'custom:9', value: 'Referral', values: null }],
      over: {},
      missing: [],
    },
    {
      name: 'nothing for a custom field mapped from a variable the contact has',
      mandatory: ['job', 'custom:7'],
      tags: [job],
      over: {},
      missing: [],
    },
    {
      name: 'a custom field mapped from a variable the contact has blank',
      mandatory: ['job', 'custom:8'],
      tags: [job],
      over: {},
      missing: ['custom:8'],
    },
    {
      name: 'a mapped standard attribute the contact lacks',
      mandatory: ['job', 'phone'],
      tags: [job],
      over: {},
      missing: ['phone'],
    },
  ])('reports $name', ({ mandatory, tags, over, missing }) => {
    expect(
      missingMandatoryFields({
        mandatoryFields: mandatory,
        fieldValues: tags,
        contact: { ...contact, ...over },
        mappings,
      }),
    ).toEqual(missing);
  });
});
