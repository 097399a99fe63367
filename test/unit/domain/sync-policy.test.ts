// The sync policy, rule by rule (DESIGN.md "The sync policy"), as tables over settings, stages, links
// and events, plus invariants that hold for any input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FIELD_MAPPINGS,
  resolveEffectiveSync,
  TEAM_SETTINGS_DEFAULTS,
} from '../../../src/domain/settings.js';
import type {
  PinpointLink,
  PolicyActivity,
  PolicyEvent,
  SyncAction,
  SyncDecisionInput,
} from '../../../src/domain/sync-actions.js';
import { decideSync, stageReachesTrigger, toPlanSteps } from '../../../src/domain/sync-policy.js';
import {
  ACTIVITY_TYPES,
  ADD_APPLICATION_WHEN,
  type AddApplicationWhen,
  CONTACT_STAGES,
  CONTACT_VARIABLES,
  type ContactData,
  type ContactStage,
  type FieldMapping,
  type FieldValue,
  OUTREACH_CHANNELS,
  type SyncOptions,
  type TeamSyncSettings,
} from '../../../src/domain/types.js';

// ---------------------------------------------------------------------------------------------------
// Builders

const ada: ContactData = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@example.com',
  phone: '+44 20 7946 0000',
  company: 'Analytical Engines',
  jobTitle: null,
  location: null,
  linkedinUrl: null,
};
const jobTag: FieldValue = { field: 'job', value: '12', values: null };
const noLink: PinpointLink = { candidateId: null, applicationId: null };
const candidateOnly: PinpointLink = { candidateId: 'c1', applicationId: null };
const synced: PinpointLink = { candidateId: 'c1', applicationId: 'a1' };

interface Setup {
  team?: Partial<TeamSyncSettings>;
  options?: SyncOptions;
  syncAs?: 'APPLICATION' | 'DO_NOT_SYNC';
  fieldValues?: FieldValue[];
  mappings?: readonly FieldMapping[];
  contact?: Partial<ContactData>;
  stage?: ContactStage;
  link?: PinpointLink;
}

function decide(event: PolicyEvent, setup: Setup = {}): SyncAction[] {
  return decideSync(inputFor(event, setup)).actions;
}

function inputFor(event: PolicyEvent, setup: Setup): SyncDecisionInput {
  const effective = resolveEffectiveSync({
    team: { ...TEAM_SETTINGS_DEFAULTS, ...setup.team },
    owner: { isAdmin: false, settings: null },
    campaign: {
      syncAs: setup.syncAs ?? 'APPLICATION',
      options: setup.options ?? null,
      optionsSetByAdmin: false,
      fieldValues: setup.fieldValues ?? [jobTag],
    },
    override: null,
  });
  return {
    effective,
    mappings: setup.mappings ?? DEFAULT_FIELD_MAPPINGS,
    contact: { ...ada, ...setup.contact },
    stage: setup.stage ?? 'ADDED',
    link: setup.link ?? noLink,
    event,
  };
}

let activityCounter = 0;
function activity(
  type: PolicyActivity['type'],
  channel: PolicyActivity['channel'] = 'EMAIL',
): PolicyActivity {
  activityCounter += 1;
  return {
    id: `act-${activityCounter}`,
    type,
    channel,
    occurredAt: new Date(Date.UTC(2025, 0, 1, 0, activityCounter)).toISOString(),
    subject: 'Hello',
    body: 'Hi Ada',
  };
}

/** The action types and the distinguishing detail, which is what the tables assert. */
function shape(actions: SyncAction[]): string[] {
  return actions.map(label);
}

function label(a: SyncAction): string {
  switch (a.type) {
    case 'SKIP':
      return `SKIP ${a.code}`;
    case 'WRITE_NOTE':
      return `WRITE_NOTE ${a.target} ${a.activityId}`;
    case 'HOLD_NOTE':
      return `HOLD_NOTE ${a.activityId}`;
    case 'BLOCK':
      return `BLOCK ${a.missingFields.join(',')}`;
    case 'UPDATE_FIELDS':
      return `UPDATE_FIELDS ${a.fields.map((f) => `${f.pinpointField}:${f.policy}`).join(',')}`;
    case 'PUSH_APPLICATION':
      return 'PUSH_APPLICATION';
  }
}

// ---------------------------------------------------------------------------------------------------

describe('rule 1: Do not sync', () => {
  const events: PolicyEvent[] = [
    { kind: 'ADDED' },
    { kind: 'REPLIED', interested: true, activities: [activity('REPLY_RECEIVED')] },
    { kind: 'ACTIVITY', activity: activity('MESSAGE_SENT') },
    { kind: 'CONTACT_EDITED', changedVariables: ['EMAIL'] },
    { kind: 'RETRY' },
    { kind: 'SETTINGS_CHANGED' },
  ];
  it.each(events.map((event) => ({ event, kind: event.kind })))(
    'answers a $kind event for a Do-not-sync contact with a single skip, even when already synced',
    ({ event }) => {
      for (const link of [noLink, synced]) {
        const actions = decide(event, {
          syncAs: 'DO_NOT_SYNC',
          stage: 'INTERESTED',
          team: { addApplicationWhen: 'ADDED_TO_CAMPAIGN' },
          link,
        });
        expect(shape(actions)).toEqual(['SKIP DO_NOT_SYNC']);
      }
    },
  );
});

describe('rule 2: the Add Application trigger', () => {
  const table = ADD_APPLICATION_WHEN.flatMap((trigger) =>
    CONTACT_STAGES.map((stage) => {
      const expected =
        trigger === 'NEVER'
          ? 'SKIP TRIGGER_NEVER'
          : CONTACT_STAGES.indexOf(stage) >= ['ADDED_TO_CAMPAIGN', 'REPLIED', 'INTERESTED'].indexOf(trigger)
            ? 'PUSH_APPLICATION'
            : 'SKIP TRIGGER_NOT_REACHED';
      return { trigger, stage, expected };
    }),
  );

  it.each(table)(
    'with trigger $trigger, a contact at stage $stage gets $expected',
    ({ trigger, stage, expected }) => {
      for (const event of [{ kind: 'ADDED' }, { kind: 'RETRY' }, { kind: 'SETTINGS_CHANGED' }] as const) {
        expect(shape(decide(event, { team: { addApplicationWhen: trigger }, stage }))).toEqual([expected]);
      }
      expect(stageReachesTrigger(stage, trigger)).toBe(expected === 'PUSH_APPLICATION');
    },
  );

  it('takes the trigger from the campaign options over the team default', () => {
    const setup: Setup = {
      team: { addApplicationWhen: 'INTERESTED' },
      options: { addApplicationWhen: 'REPLIED' },
    };
    expect(shape(decide({ kind: 'ADDED' }, { ...setup, stage: 'REPLIED' }))).toEqual(['PUSH_APPLICATION']);
  });

  it('pushes a contact already past a lowered trigger at the next activity, with the note after the push', () => {
    const sent = activity('MESSAGE_SENT');
    const actions = decide(
      { kind: 'ACTIVITY', activity: sent },
      { team: { addApplicationWhen: 'REPLIED' }, stage: 'INTERESTED' },
    );
    expect(shape(actions)).toEqual(['PUSH_APPLICATION', `WRITE_NOTE APPLICATION ${sent.id}`]);
  });

  it('pushes a contact already past the trigger at the next manual edit, letting the push carry the fields', () => {
    const actions = decide(
      { kind: 'CONTACT_EDITED', changedVariables: ['PHONE'] },
      { team: { addApplicationWhen: 'ADDED_TO_CAMPAIGN' }, link: candidateOnly },
    );
    expect(shape(actions)).toEqual(['PUSH_APPLICATION']);
  });

  it('carries the tags, the mapped fields with their policies and the notification setting in the push', () => {
    const fieldValues: FieldValue[] = [
      jobTag,
      { field: 'stage', value: '3', values: null },
      { field: 'tags', value: null, values: ['outreach'] },
    ];
    const mappings: FieldMapping[] = [
      { pinpointField: 'email', variable: 'EMAIL', updatePolicy: 'ALWAYS_UPDATE' },
      { pinpointField: 'custom:7', variable: 'COMPANY', updatePolicy: null },
    ];
    const [push] = decide(
      { kind: 'ADDED' },
      {
        team: { addApplicationWhen: 'ADDED_TO_CAMPAIGN', suppressPinpointNotifications: false },
        fieldValues,
        mappings,
      },
    );
    expect(push).toMatchObject({
      type: 'PUSH_APPLICATION',
      fieldValues,
      fields: [
        { pinpointField: 'email', variable: 'EMAIL', policy: 'ALWAYS_UPDATE' },
        { pinpointField: 'custom:7', variable: 'COMPANY', policy: 'ONLY_IF_BLANK' },
      ],
      suppressNotifications: false,
    });
    expect(push?.reason).toMatch(/job 12 at stage 3 tagged outreach/);
  });
});

describe('already-synced contacts', () => {
  it.each([{ kind: 'ADDED' }, { kind: 'RETRY' }, { kind: 'SETTINGS_CHANGED' }] as const)(
    'are not pushed twice on a $kind event',
    (event) => {
      const actions = decide(event, {
        team: { addApplicationWhen: 'ADDED_TO_CAMPAIGN' },
        stage: 'INTERESTED',
        link: synced,
      });
      expect(shape(actions)).toEqual(['SKIP ALREADY_SYNCED']);
    },
  );

  it('get a reply written on their application without a second push', () => {
    const reply = activity('REPLY_RECEIVED');
    const actions = decide(
      { kind: 'REPLIED', interested: false, activities: [reply] },
      { team: { addApplicationWhen: 'REPLIED' }, stage: 'REPLIED', link: synced },
    );
    expect(shape(actions)).toEqual(['SKIP ALREADY_SYNCED', `WRITE_NOTE APPLICATION ${reply.id}`]);
  });

  it('get an activity note with no push noise', () => {
    const sent = activity('MESSAGE_SENT');
    const actions = decide({ kind: 'ACTIVITY', activity: sent }, { stage: 'INTERESTED', link: synced });
    expect(shape(actions)).toEqual([`WRITE_NOTE APPLICATION ${sent.id}`]);
  });
});

describe('rule 3: blocking on missing mandatory fields', () => {
  const reached: Setup = { team: { addApplicationWhen: 'ADDED_TO_CAMPAIGN' } };

  it.each([
    {
      name: 'a contact without a last name or email',
      setup: { contact: { lastName: null, email: ' ' } },
      missing: ['last_name', 'email'],
    },
    { name: 'a campaign without a job tag', setup: { fieldValues: [] }, missing: ['job'] },
    {
      name: 'a mandatory stage the tags leave empty',
      setup: {
        team: { mandatoryFields: ['job', 'stage'] },
        fieldValues: [jobTag, { field: 'stage', value: '', values: null }],
      },
      missing: ['stage'],
    },
    {
      name: 'a mandatory custom field nothing fills',
      setup: { team: { mandatoryFields: ['job', 'custom:7'] } },
      missing: ['custom:7'],
    },
    {
      name: 'a mandatory custom field mapped from a variable the contact lacks',
      setup: {
        team: { mandatoryFields: ['job', 'custom:8'] },
        mappings: [
          ...DEFAULT_FIELD_MAPPINGS,
          { pinpointField: 'custom:8', variable: 'JOB_TITLE', updatePolicy: null },
        ],
      },
      missing: ['custom:8'],
    },
  ] satisfies { name: string; setup: Setup; missing: string[] }[])(
    'blocks $name and pushes nothing',
    ({ setup, missing }) => {
      const actions = decide(
        { kind: 'ADDED' },
        { ...reached, ...setup, team: { ...reached.team, ...setup.team } },
      );
      expect(shape(actions)).toEqual([`BLOCK ${missing.join(',')}`]);
      expect(actions[0]).toMatchObject({ type: 'BLOCK', missingFields: missing });
    },
  );

  it('pushes when a mandatory custom field is filled by a mapping from the contact', () => {
    const actions = decide(
      { kind: 'RETRY' },
      {
        team: { addApplicationWhen: 'ADDED_TO_CAMPAIGN', mandatoryFields: ['job', 'custom:7'] },
        mappings: [
          ...DEFAULT_FIELD_MAPPINGS,
          { pinpointField: 'custom:7', variable: 'COMPANY', updatePolicy: null },
        ],
      },
    );
    expect(shape(actions)).toEqual(['PUSH_APPLICATION']);
  });

  it('pushes on retry once the missing tag is filled', () => {
    const setup: Setup = {
      team: { addApplicationWhen: 'ADDED_TO_CAMPAIGN', mandatoryFields: ['job', 'custom:7'] },
    };
    expect(shape(decide({ kind: 'RETRY' }, setup))).toEqual(['BLOCK custom:7']);
    const filled = [jobTag, { field: 'custom:7', value: 'Referral', values: null }];
    expect(shape(decide({ kind: 'RETRY' }, { ...setup, fieldValues: filled }))).toEqual(['PUSH_APPLICATION']);
  });

  it('holds a blocked contact’s note instead of writing it', () => {
    const sent = activity('MESSAGE_SENT');
    const actions = decide({ kind: 'ACTIVITY', activity: sent }, { ...reached, fieldValues: [] });
    expect(shape(actions)).toEqual(['BLOCK job', `HOLD_NOTE ${sent.id}`]);
  });
});

describe('rule 5: notes', () => {
  it.each([
    {
      name: 'are held while there is no synced record and only-synced-records is on',
      toggle: true,
      link: noLink,
      target: 'HOLD_NOTE',
    },
    {
      name: 'go at once to an existing candidate looked up by email when only-synced-records is off',
      toggle: false,
      link: noLink,
      target: 'WRITE_NOTE EXISTING_CANDIDATE',
    },
    {
      name: 'go to the linked candidate when only-synced-records is off and there is no application',
      toggle: false,
      link: candidateOnly,
      target: 'WRITE_NOTE EXISTING_CANDIDATE',
    },
    {
      name: 'are held when only a candidate is linked and only-synced-records is on',
      toggle: true,
      link: candidateOnly,
      target: 'HOLD_NOTE',
    },
    {
      name: 'go on the application once synced, toggle on',
      toggle: true,
      link: synced,
      target: 'WRITE_NOTE APPLICATION',
    },
    {
      name: 'go on the application once synced, toggle off',
      toggle: false,
      link: synced,
      target: 'WRITE_NOTE APPLICATION',
    },
  ])('$name', ({ toggle, link, target }) => {
    const sent = activity('MESSAGE_SENT');
    const actions = decide(
      { kind: 'ACTIVITY', activity: sent },
      { options: { onlyAddNotesToSyncedRecords: toggle }, stage: 'ADDED', link },
    );
    expect(shape(actions)).toEqual([
      target === 'HOLD_NOTE' ? `HOLD_NOTE ${sent.id}` : `${target} ${sent.id}`,
    ]);
  });

  it.each(
    ACTIVITY_TYPES.map((type) => ({
      type,
      selected: ['MESSAGE_SENT', 'REPLY_RECEIVED', 'MARKED_INTERESTED'].includes(type),
    })),
  )('with the default note types, a $type activity is noted: $selected', ({ type, selected }) => {
    const act = activity(type);
    const actions = decide({ kind: 'ACTIVITY', activity: act }, { link: synced });
    expect(shape(actions)).toEqual([
      selected ? `WRITE_NOTE APPLICATION ${act.id}` : 'SKIP NOTE_TYPE_NOT_SELECTED',
    ]);
    expect(actions[0]).toMatchObject({ activityId: act.id });
  });

  it.each(
    OUTREACH_CHANNELS.map((channel) => ({ channel, selected: channel === 'EMAIL' || channel === 'SMS' })),
  )(
    'with notes from Email and SMS only, an activity on $channel is noted: $selected',
    ({ channel, selected }) => {
      const act = activity('MESSAGE_SENT', channel);
      const actions = decide(
        { kind: 'ACTIVITY', activity: act },
        { options: { noteChannels: ['EMAIL', 'SMS'] }, link: synced },
      );
      expect(shape(actions)).toEqual([
        selected ? `WRITE_NOTE APPLICATION ${act.id}` : 'SKIP NOTE_CHANNEL_NOT_SELECTED',
      ]);
    },
  );

  it('notes an activity logged without a channel by its type alone, even when no channel is selected', () => {
    const call = activity('CALL_LOGGED', null);
    const actions = decide(
      { kind: 'ACTIVITY', activity: call },
      { options: { activityNoteTypes: ['CALL_LOGGED'], noteChannels: [] }, link: synced },
    );
    expect(shape(actions)).toEqual([`WRITE_NOTE APPLICATION ${call.id}`]);
  });

  it('checks the note type before the channel', () => {
    const act = activity('MEETING_BOOKED', 'LINKEDIN');
    const actions = decide(
      { kind: 'ACTIVITY', activity: act },
      { options: { noteChannels: [] }, link: synced },
    );
    expect(shape(actions)).toEqual(['SKIP NOTE_TYPE_NOT_SELECTED']);
  });

  it('writes an interested reply’s notes after the push it triggers, in order', () => {
    const reply = activity('REPLY_RECEIVED');
    const interested = activity('MARKED_INTERESTED');
    const actions = decide(
      { kind: 'REPLIED', interested: true, activities: [reply, interested] },
      { stage: 'INTERESTED' },
    );
    expect(shape(actions)).toEqual([
      'PUSH_APPLICATION',
      `WRITE_NOTE APPLICATION ${reply.id}`,
      `WRITE_NOTE APPLICATION ${interested.id}`,
    ]);
  });

  it('holds a reply’s note when the reply does not reach the trigger', () => {
    const reply = activity('REPLY_RECEIVED');
    const actions = decide({ kind: 'REPLIED', interested: false, activities: [reply] }, { stage: 'REPLIED' });
    expect(shape(actions)).toEqual(['SKIP TRIGGER_NOT_REACHED', `HOLD_NOTE ${reply.id}`]);
  });

  it('holds notes for a contact whose trigger is Never, in case the setting changes', () => {
    const sent = activity('MESSAGE_SENT');
    const actions = decide(
      { kind: 'ACTIVITY', activity: sent },
      { team: { addApplicationWhen: 'NEVER' }, stage: 'INTERESTED' },
    );
    expect(shape(actions)).toEqual([`HOLD_NOTE ${sent.id}`]);
  });
});

describe('rule 6: manual edits', () => {
  const mappings: FieldMapping[] = [
    { pinpointField: 'email', variable: 'EMAIL', updatePolicy: 'ALWAYS_UPDATE' },
    { pinpointField: 'phone', variable: 'PHONE', updatePolicy: null },
    { pinpointField: 'custom:7', variable: 'COMPANY', updatePolicy: null },
  ];

  it.each([
    {
      name: 'pushes the changed mapped fields with their own policies when on and a candidate exists',
      toggle: true,
      link: candidateOnly,
      changed: ['EMAIL', 'PHONE', 'JOB_TITLE'],
      expected: 'UPDATE_FIELDS email:ALWAYS_UPDATE,phone:ONLY_IF_BLANK',
    },
    {
      name: 'updates a synced application’s candidate',
      toggle: true,
      link: synced,
      changed: ['COMPANY'],
      expected: 'UPDATE_FIELDS custom:7:ONLY_IF_BLANK',
    },
    {
      name: 'skips when manual updates are off',
      toggle: false,
      link: synced,
      changed: ['EMAIL'],
      expected: 'SKIP MANUAL_UPDATES_OFF',
    },
    {
      name: 'skips when the contact has no Pinpoint candidate',
      toggle: true,
      link: noLink,
      changed: ['EMAIL'],
      expected: 'SKIP NO_PINPOINT_CANDIDATE',
    },
    {
      name: 'skips when no mapped field changed',
      toggle: true,
      link: synced,
      changed: ['JOB_TITLE', 'LOCATION'],
      expected: 'SKIP NO_MAPPED_FIELD_CHANGED',
    },
    {
      name: 'reports manual updates off before a missing candidate',
      toggle: false,
      link: noLink,
      changed: ['EMAIL'],
      expected: 'SKIP MANUAL_UPDATES_OFF',
    },
  ] as const)('$name', ({ toggle, link, changed, expected }) => {
    const actions = decide(
      { kind: 'CONTACT_EDITED', changedVariables: changed },
      { team: { syncManualContactUpdates: toggle }, mappings, link },
    );
    expect(shape(actions)).toEqual([expected]);
  });

  it('uses the team policy for a field whose mapping has none, as set on the campaign', () => {
    const actions = decide(
      { kind: 'CONTACT_EDITED', changedVariables: ['PHONE'] },
      { options: { fieldUpdatePolicy: 'ALWAYS_UPDATE' }, mappings, link: synced },
    );
    expect(shape(actions)).toEqual(['UPDATE_FIELDS phone:ALWAYS_UPDATE']);
  });

  it('updates a candidate even while the application push is blocked', () => {
    const actions = decide(
      { kind: 'CONTACT_EDITED', changedVariables: ['PHONE'] },
      { team: { addApplicationWhen: 'ADDED_TO_CAMPAIGN' }, fieldValues: [], mappings, link: candidateOnly },
    );
    expect(shape(actions)).toEqual(['BLOCK job', 'UPDATE_FIELDS phone:ONLY_IF_BLANK']);
  });
});

describe('the dry-run plan', () => {
  it('explains a wait for the trigger in a plain sentence', () => {
    const [skip] = decide({ kind: 'ADDED' }, { options: { addApplicationWhen: 'REPLIED' } });
    expect(skip?.reason).toBe(
      'The contact was added to the campaign; the application is created once the contact replies ("Add Application to Pinpoint": Replied, campaign setting).',
    );
  });

  it('lists each action with a reason a recruiter can read', () => {
    const reply = activity('REPLY_RECEIVED');
    const steps = toPlanSteps(
      decideSync(inputFor({ kind: 'REPLIED', interested: false, activities: [reply] }, { stage: 'REPLIED' })),
    );
    expect(steps).toEqual([
      { action: 'SKIP', reason: expect.stringContaining('once the contact is marked interested') },
      {
        action: 'HOLD_NOTE',
        reason: expect.stringContaining('"Only add notes to synced records" is on (team default)'),
      },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('invariants over any input', () => {
  const orNull = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
  const activityArb: fc.Arbitrary<PolicyActivity> = fc.record({
    id: fc.uuid(),
    type: fc.constantFrom(...ACTIVITY_TYPES),
    channel: orNull(fc.constantFrom(...OUTREACH_CHANNELS)),
    occurredAt: fc.constant('2025-01-01T00:00:00.000Z'),
    subject: fc.constant(null),
    body: fc.constant(null),
  });
  const eventArb: fc.Arbitrary<PolicyEvent> = fc.oneof(
    fc.constant({ kind: 'ADDED' as const }),
    fc.record({
      kind: fc.constant('REPLIED' as const),
      interested: fc.boolean(),
      activities: fc.array(activityArb, { maxLength: 2 }),
    }),
    fc.record({ kind: fc.constant('ACTIVITY' as const), activity: activityArb }),
    fc.record({
      kind: fc.constant('CONTACT_EDITED' as const),
      changedVariables: fc.subarray([...CONTACT_VARIABLES]),
    }),
    fc.constant({ kind: 'RETRY' as const }),
    fc.constant({ kind: 'SETTINGS_CHANGED' as const }),
  );
  const setupArb: fc.Arbitrary<Setup> = fc.record({
    team: fc.record({
      addApplicationWhen: fc.constantFrom<AddApplicationWhen>(...ADD_APPLICATION_WHEN),
      onlyAddNotesToSyncedRecords: fc.boolean(),
      syncManualContactUpdates: fc.boolean(),
      mandatoryFields: fc.subarray(['job', 'stage', 'custom:7']),
      activityNoteTypes: fc.subarray([...ACTIVITY_TYPES]),
      noteChannels: fc.subarray([...OUTREACH_CHANNELS]),
    }),
    syncAs: fc.constantFrom('APPLICATION' as const, 'DO_NOT_SYNC' as const),
    fieldValues: fc.subarray([jobTag, { field: 'stage', value: '3', values: null }]),
    contact: fc.record({
      firstName: orNull(fc.constantFrom('Ada', '')),
      email: orNull(fc.constant('ada@x.io')),
    }),
    stage: fc.constantFrom(...CONTACT_STAGES),
    link: fc.constantFrom(noLink, candidateOnly, synced),
  });

  it('never pushes a synced contact, pushes at most once and first, and never pushes and blocks together', () => {
    fc.assert(
      fc.property(eventArb, setupArb, (event, setup) => {
        const actions = decide(event, setup);
        const pushes = actions.filter((a) => a.type === 'PUSH_APPLICATION').length;
        expect(pushes).toBeLessThanOrEqual(1);
        if (pushes === 1) {
          expect(actions[0]?.type).toBe('PUSH_APPLICATION');
          expect(setup.link?.applicationId).toBeNull();
          expect(actions.some((a) => a.type === 'BLOCK')).toBe(false);
        }
      }),
    );
  });

  it('writes a note on an application only when one is linked or pushed before it', () => {
    fc.assert(
      fc.property(eventArb, setupArb, (event, setup) => {
        const actions = decide(event, setup);
        actions.forEach((a, i) => {
          if (a.type === 'WRITE_NOTE' && a.target === 'APPLICATION') {
            const pushedBefore = actions.slice(0, i).some((b) => b.type === 'PUSH_APPLICATION');
            expect(setup.link?.applicationId !== null || pushedBefore).toBe(true);
          }
        });
      }),
    );
  });

  it('decides something for every event, once per activity, always with a reason', () => {
    fc.assert(
      fc.property(eventArb, setupArb, (event, setup) => {
        const actions = decide(event, setup);
        expect(actions.length).toBeGreaterThan(0);
        for (const a of actions) expect(a.reason.length).toBeGreaterThan(10);
        if (setup.syncAs === 'DO_NOT_SYNC') {
          expect(shape(actions)).toEqual(['SKIP DO_NOT_SYNC']);
          return;
        }
        const activities =
          event.kind === 'ACTIVITY' ? [event.activity] : event.kind === 'REPLIED' ? event.activities : [];
        for (const act of activities) {
          expect(actions.filter((a) => 'activityId' in a && a.activityId === act.id)).toHaveLength(1);
        }
      }),
    );
  });
});
