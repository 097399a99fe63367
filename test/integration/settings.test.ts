import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectPinpoint,
  type PinpointSimulator,
  type SimCompanyHandle,
  seedCompany,
  startSimulator,
} from '../helpers/pinpoint.js';
import { TestServer, type TestTeam } from '../helpers/server.js';

let sim: PinpointSimulator;
let t: TestServer;
beforeAll(async () => {
  sim = await startSimulator();
  t = await TestServer.start({ env: { PINPOINT_BASE_URL: sim.baseUrlTemplate } });
});
afterAll(async () => {
  await t?.stop();
  await sim?.close();
});

const SETTINGS_FIELDS = `
  syncManualContactUpdates addApplicationWhen onlyAddNotesToSyncedRecords displayedFields mandatoryFields
  fieldUpdatePolicy activityNoteTypes noteChannels suppressPinpointNotifications lockedForMembers
  fieldMappings { pinpointField variable updatePolicy } defaultFieldMappings`;

const TEAM_SETTINGS = `{ teamSettings { ${SETTINGS_FIELDS} } }`;

const UPDATE_TEAM = `mutation($input: TeamSettingsInput!) {
  updateTeamSettings(input: $input) {
    __typename
    ... on TeamSettings { ${SETTINGS_FIELDS} }
    ... on ValidationError { message fieldErrors { path message } }
  }
}`;

const SET_MAPPINGS = `mutation($input: [FieldMappingInput!]!) {
  setFieldMappings(input: $input) {
    __typename
    ... on TeamSettings { ${SETTINGS_FIELDS} }
    ... on ValidationError { message fieldErrors { path message } }
  }
}`;

const RESET_MAPPINGS = `mutation {
  resetFieldMappings { __typename ... on TeamSettings { ${SETTINGS_FIELDS} } ... on Error { message } }
}`;

const USER_FIELDS =
  'syncManualContactUpdates addApplicationWhen onlyAddNotesToSyncedRecords fieldUpdatePolicy activityNoteTypes noteChannels';
const MY_SETTINGS = `{ mySettings { ${USER_FIELDS} } }`;
const UPDATE_MINE = `mutation($input: UserSettingsInput!) {
  updateMySettings(input: $input) {
    __typename
    ... on UserSettings { ${USER_FIELDS} }
    ... on Error { message }
    ... on ValidationError { fieldErrors { path message } }
  }
}`;

interface FieldMapping {
  pinpointField: string;
  variable: string;
  updatePolicy: string | null;
}
type Settings = Record<string, unknown> & { fieldMappings: FieldMapping[] };
type Payload = Partial<Settings> & {
  __typename: string;
  message?: string;
  fieldErrors?: { path: string[]; message: string }[];
};

const DEFAULT_MAPPINGS: FieldMapping[] = [
  { pinpointField: 'first_name', variable: 'FIRST_NAME', updatePolicy: null },
  { pinpointField: 'last_name', variable: 'LAST_NAME', updatePolicy: null },
  { pinpointField: 'email', variable: 'EMAIL', updatePolicy: null },
  { pinpointField: 'phone', variable: 'PHONE', updatePolicy: null },
  { pinpointField: 'linkedin_url', variable: 'LINKEDIN_URL', updatePolicy: null },
];

const DEFAULTS = {
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
  fieldMappings: DEFAULT_MAPPINGS,
  defaultFieldMappings: true,
};

async function readSettings(token: string): Promise<Settings> {
  const res = await t.gql<{ teamSettings: Settings }>(TEAM_SETTINGS, {}, token);
  expect(res.errors).toBeUndefined();
  return res.data!.teamSettings;
}

async function updateTeam(token: string, input: Record<string, unknown>): Promise<Payload> {
  const res = await t.gql<{ updateTeamSettings: Payload }>(UPDATE_TEAM, { input }, token);
  expect(res.errors).toBeUndefined();
  return res.data!.updateTeamSettings;
}

async function setMappings(token: string, input: Partial<FieldMapping>[]): Promise<Payload> {
  const res = await t.gql<{ setFieldMappings: Payload }>(SET_MAPPINGS, { input }, token);
  expect(res.errors).toBeUndefined();
  return res.data!.setFieldMappings;
}

async function updateMine(token: string, input: Record<string, unknown>): Promise<Payload> {
  const res = await t.gql<{ updateMySettings: Payload }>(UPDATE_MINE, { input }, token);
  expect(res.errors).toBeUndefined();
  return res.data!.updateMySettings;
}

/** Asserts a ValidationError with exactly these field paths, and that the team's settings did not change. */
async function expectRefused(
  team: TestTeam,
  call: () => Promise<Payload>,
  paths: string[][],
  messageMatch?: RegExp,
): Promise<void> {
  const before = await readSettings(team.adminToken);
  const result = await call();
  expect(result.__typename).toBe('ValidationError');
  expect(result.fieldErrors?.map((e) => e.path)).toEqual(paths);
  if (messageMatch) expect(result.fieldErrors?.map((e) => e.message).join(' ')).toMatch(messageMatch);
  expect(await readSettings(team.adminToken)).toEqual(before);
}

const mappingsWith = (...extra: FieldMapping[]) => [...DEFAULT_MAPPINGS, ...extra];

describe('teamSettings', () => {
  it('answers the DESIGN.md defaults for a team that never changed anything', async () => {
    const team = await t.createTeam();
    expect(await readSettings(team.adminToken)).toEqual(DEFAULTS);
  });

  it('lets members read the team settings', async () => {
    const team = await t.createTeam();
    await updateTeam(team.adminToken, { addApplicationWhen: 'REPLIED' });
    const settings = await readSettings(team.memberToken);
    expect(settings.addApplicationWhen).toBe('REPLIED');
  });

  it('refuses a caller without a token with UNAUTHENTICATED', async () => {
    const res = await t.gql(TEAM_SETTINGS);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('never shows one team’s settings, mapping or personal defaults to another team', async () => {
    const mine = await t.createTeam();
    const other = await t.createTeam();
    await updateTeam(other.adminToken, { addApplicationWhen: 'NEVER', lockedForMembers: true });
    await setMappings(
      other.adminToken,
      mappingsWith({ pinpointField: 'town', variable: 'LOCATION', updatePolicy: null }),
    );
    await updateMine(other.adminToken, { addApplicationWhen: 'REPLIED' });

    expect(await readSettings(mine.adminToken)).toEqual(DEFAULTS);
    const res = await t.gql<{ mySettings: Record<string, unknown> }>(MY_SETTINGS, {}, mine.adminToken);
    expect(res.data?.mySettings.addApplicationWhen).toBeNull();
    // The other team's lock does not reach this team's members.
    expect((await updateMine(mine.memberToken, { fieldUpdatePolicy: 'ALWAYS_UPDATE' })).__typename).toBe(
      'UserSettings',
    );
  });
});

describe('settings identity (for client caches)', () => {
  const NODE = `query($id: ID!) {
    node(id: $id) {
      __typename
      ... on TeamSettings { id addApplicationWhen }
      ... on UserSettings { id fieldUpdatePolicy }
    }
  }`;
  type NodeResult = { node: ({ __typename: string; id: string } & Record<string, unknown>) | null };
  const node = async (id: string, token: string) => {
    const res = await t.gql<NodeResult>(NODE, { id }, token);
    expect(res.errors).toBeUndefined();
    return res.data!.node;
  };

  it('gives the team settings one id in every answer, refetchable with node(id) by the team only', async () => {
    const team = await t.createTeam();
    const other = await t.createTeam();
    const read = await t.gql<{ teamSettings: { id: string } }>(
      '{ teamSettings { id } }',
      {},
      team.memberToken,
    );
    const id = read.data!.teamSettings.id;
    const updated = await t.gql<{ updateTeamSettings: { id: string } }>(
      'mutation($input: TeamSettingsInput!) { updateTeamSettings(input: $input) { ... on TeamSettings { id } } }',
      { input: { addApplicationWhen: 'REPLIED' } },
      team.adminToken,
    );
    expect(updated.data?.updateTeamSettings.id).toBe(id);
    const reset = await t.gql<{ resetFieldMappings: { id: string } }>(
      'mutation { resetFieldMappings { ... on TeamSettings { id } } }',
      {},
      team.adminToken,
    );
    expect(reset.data?.resetFieldMappings.id).toBe(id);
    expect(await node(id, team.memberToken)).toEqual({
      __typename: 'TeamSettings',
      id,
      addApplicationWhen: 'REPLIED',
    });
    expect(await node(id, other.adminToken)).toBeNull();
    const otherId = (
      await t.gql<{ teamSettings: { id: string } }>('{ teamSettings { id } }', {}, other.adminToken)
    ).data!.teamSettings.id;
    expect(otherId).not.toBe(id);
  });

  it('gives personal defaults one id per user, refetchable with node(id) by that user only', async () => {
    const team = await t.createTeam();
    const other = await t.createTeam();
    const read = await t.gql<{ mySettings: { id: string } }>('{ mySettings { id } }', {}, team.memberToken);
    const id = read.data!.mySettings.id;
    const updated = await t.gql<{ updateMySettings: { id: string } }>(
      'mutation($input: UserSettingsInput!) { updateMySettings(input: $input) { ... on UserSettings { id } } }',
      { input: { fieldUpdatePolicy: 'ALWAYS_UPDATE' } },
      team.memberToken,
    );
    expect(updated.data?.updateMySettings.id).toBe(id);
    expect(await node(id, team.memberToken)).toEqual({
      __typename: 'UserSettings',
      id,
      fieldUpdatePolicy: 'ALWAYS_UPDATE',
    });
    const adminsOwn = await t.gql<{ mySettings: { id: string } }>(
      '{ mySettings { id } }',
      {},
      team.adminToken,
    );
    expect(adminsOwn.data?.mySettings.id).not.toBe(id);
    // A teammate's or another team's id answers null: personal defaults are their owner's.
    expect(await node(id, team.adminToken)).toBeNull();
    expect(await node(id, other.adminToken)).toBeNull();
  });
});

describe('updateTeamSettings', () => {
  it('changes only the settings sent and keeps the others', async () => {
    const team = await t.createTeam();
    const first = await updateTeam(team.adminToken, {
      addApplicationWhen: 'ADDED_TO_CAMPAIGN',
      noteChannels: ['EMAIL', 'SMS'],
    });
    expect(first.__typename).toBe('TeamSettings');
    const second = await updateTeam(team.adminToken, { suppressPinpointNotifications: false });
    expect(second).toEqual({
      __typename: 'TeamSettings',
      ...DEFAULTS,
      addApplicationWhen: 'ADDED_TO_CAMPAIGN',
      noteChannels: ['EMAIL', 'SMS'],
      suppressPinpointNotifications: false,
    });
    expect(await readSettings(team.memberToken)).toEqual({
      ...DEFAULTS,
      addApplicationWhen: 'ADDED_TO_CAMPAIGN',
      noteChannels: ['EMAIL', 'SMS'],
      suppressPinpointNotifications: false,
    });
  });

  it('sets every setting at once, de-duplicating lists and accepting empty ones', async () => {
    const team = await t.createTeam();
    const input = {
      syncManualContactUpdates: false,
      addApplicationWhen: 'NEVER',
      onlyAddNotesToSyncedRecords: false,
      displayedFields: ['job', 'stage', 'tags', 'job'],
      mandatoryFields: ['stage', 'stage'],
      fieldUpdatePolicy: 'ALWAYS_UPDATE',
      activityNoteTypes: [],
      noteChannels: ['CALL', 'CALL'],
      suppressPinpointNotifications: false,
      lockedForMembers: true,
    };
    const result = await updateTeam(team.adminToken, input);
    expect(result).toEqual({
      __typename: 'TeamSettings',
      ...DEFAULTS,
      ...input,
      displayedFields: ['job', 'stage', 'tags'],
      mandatoryFields: ['stage'],
      noteChannels: ['CALL'],
    });
  });

  it('refuses members with FORBIDDEN and changes nothing', async () => {
    const team = await t.createTeam();
    const res = await t.gql(UPDATE_TEAM, { input: { lockedForMembers: true } }, team.memberToken);
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await readSettings(team.adminToken)).toEqual(DEFAULTS);
  });

  it('refuses null for a setting, naming the field', async () => {
    const team = await t.createTeam();
    await expectRefused(
      team,
      () =>
        updateTeam(team.adminToken, { addApplicationWhen: null, lockedForMembers: true, noteChannels: null }),
      [
        ['input', 'addApplicationWhen'],
        ['input', 'noteChannels'],
      ],
      /cannot be null/,
    );
  });

  it('refuses a mandatory field that is not displayed, naming its entry', async () => {
    const team = await t.createTeam();
    await expectRefused(
      team,
      () => updateTeam(team.adminToken, { mandatoryFields: ['job', 'tags'] }),
      [['input', 'mandatoryFields', '1']],
      /`tags` is mandatory, so it must also be a displayed field/,
    );
  });

  it('refuses displayed fields that drop a mandatory one, checked against the merged settings', async () => {
    const team = await t.createTeam();
    await expectRefused(
      team,
      () => updateTeam(team.adminToken, { displayedFields: ['stage'] }),
      [['input', 'displayedFields']],
      /`job` is mandatory/,
    );
    // Both lists together may move: nothing mandatory, nothing displayed.
    const ok = await updateTeam(team.adminToken, { displayedFields: [], mandatoryFields: [] });
    expect(ok).toMatchObject({ displayedFields: [], mandatoryFields: [] });
  });

  it('refuses unknown field keys and standard attributes in displayed fields', async () => {
    const team = await t.createTeam();
    await expectRefused(
      team,
      () => updateTeam(team.adminToken, { displayedFields: ['job', 'stage', 'salary', 'phone', ''] }),
      [
        ['input', 'displayedFields', '2'],
        ['input', 'displayedFields', '3'],
        ['input', 'displayedFields', '4'],
      ],
    );
  });

  it('refuses a custom field key while Pinpoint is not connected', async () => {
    const team = await t.createTeam();
    await expectRefused(
      team,
      () => updateTeam(team.adminToken, { displayedFields: ['job', 'custom:1'] }),
      [['input', 'displayedFields', '1']],
      /connect Pinpoint/,
    );
  });

  it('refuses a field that is not a GraphQL enum value before running anything', async () => {
    const team = await t.createTeam();
    const res = await t.gql(UPDATE_TEAM, { input: { addApplicationWhen: 'SOMETIMES' } }, team.adminToken);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await readSettings(team.adminToken)).toEqual(DEFAULTS);
  });
});

describe('custom fields with Pinpoint connected', () => {
  let company: SimCompanyHandle;
  let team: TestTeam;
  /** custom:<id> of: candidate "Current company", candidate "Current title", application field, job field. */
  let keys: { company: string; title: string; application: string; job: string };
  beforeAll(async () => {
    company = seedCompany(sim);
    team = await t.createTeam();
    await connectPinpoint(t, team, company);
    const [companyId, titleId, applicationId, jobId] = company.customFieldIds;
    keys = {
      company: `custom:${companyId}`,
      title: `custom:${titleId}`,
      application: `custom:${applicationId}`,
      job: `custom:${jobId}`,
    };
  });

  it('accepts candidate and application custom fields as displayed and mandatory fields', async () => {
    const result = await updateTeam(team.adminToken, {
      displayedFields: ['job', 'stage', keys.company, keys.application],
      mandatoryFields: ['job', keys.application],
    });
    expect(result).toMatchObject({
      __typename: 'TeamSettings',
      displayedFields: ['job', 'stage', keys.company, keys.application],
      mandatoryFields: ['job', keys.application],
    });
  });

  it('refuses custom fields that do not exist or belong to jobs', async () => {
    await expectRefused(
      team,
      () =>
        updateTeam(team.adminToken, {
          displayedFields: ['job', keys.job, 'custom:999999'],
          mandatoryFields: ['job'],
        }),
      [
        ['input', 'displayedFields', '1'],
        ['input', 'displayedFields', '2'],
      ],
    );
  });

  it('maps COMPANY and JOB_TITLE to candidate custom fields, with a per-field update policy', async () => {
    const result = await setMappings(
      team.adminToken,
      mappingsWith(
        { pinpointField: keys.company, variable: 'COMPANY', updatePolicy: 'ALWAYS_UPDATE' },
        { pinpointField: keys.title, variable: 'JOB_TITLE', updatePolicy: null },
      ),
    );
    expect(result.__typename).toBe('TeamSettings');
    expect(result.fieldMappings?.slice(-2)).toEqual([
      { pinpointField: keys.company, variable: 'COMPANY', updatePolicy: 'ALWAYS_UPDATE' },
      { pinpointField: keys.title, variable: 'JOB_TITLE', updatePolicy: null },
    ]);
    expect(result.defaultFieldMappings).toBe(false);
  });

  it('refuses COMPANY on an application custom field, and any variable on a job or unknown custom field', async () => {
    await expectRefused(
      team,
      () =>
        setMappings(
          team.adminToken,
          mappingsWith(
            { pinpointField: keys.application, variable: 'COMPANY', updatePolicy: null },
            { pinpointField: keys.job, variable: 'PHONE', updatePolicy: null },
            { pinpointField: 'custom:999999', variable: 'LINKEDIN_URL', updatePolicy: null },
          ),
        ),
      [
        ['input', '5', 'pinpointField'],
        ['input', '6', 'pinpointField'],
        ['input', '7', 'pinpointField'],
      ],
    );
  });

  it('lets other variables use application custom fields too', async () => {
    const result = await setMappings(
      team.adminToken,
      mappingsWith({ pinpointField: keys.application, variable: 'LINKEDIN_URL', updatePolicy: null }),
    );
    expect(result.__typename).toBe('TeamSettings');
  });
});

describe('setFieldMappings and resetFieldMappings', () => {
  it('replaces the whole mapping, and reset restores the defaults', async () => {
    const team = await t.createTeam();
    const mapping = [
      { pinpointField: 'email', variable: 'EMAIL', updatePolicy: 'ALWAYS_UPDATE' },
      { pinpointField: 'first_name', variable: 'FIRST_NAME', updatePolicy: null },
      { pinpointField: 'town', variable: 'LOCATION', updatePolicy: 'ONLY_IF_BLANK' },
    ];
    const set = await setMappings(team.adminToken, mapping);
    expect(set.fieldMappings).toEqual(mapping);
    expect(set.defaultFieldMappings).toBe(false);
    expect((await readSettings(team.memberToken)).fieldMappings).toEqual(mapping);

    const reset = await t.gql<{ resetFieldMappings: Payload }>(RESET_MAPPINGS, {}, team.adminToken);
    expect(reset.data?.resetFieldMappings).toEqual({ __typename: 'TeamSettings', ...DEFAULTS });
    expect(await readSettings(team.adminToken)).toEqual(DEFAULTS);
  });

  it('keeps the other settings when the mapping changes, and the mapping when settings change', async () => {
    const team = await t.createTeam();
    await updateTeam(team.adminToken, { fieldUpdatePolicy: 'ALWAYS_UPDATE' });
    const mapping = mappingsWith({ pinpointField: 'postcode', variable: 'LOCATION', updatePolicy: null });
    await setMappings(team.adminToken, mapping);
    await updateTeam(team.adminToken, { lockedForMembers: true });
    expect(await readSettings(team.adminToken)).toEqual({
      ...DEFAULTS,
      fieldUpdatePolicy: 'ALWAYS_UPDATE',
      lockedForMembers: true,
      fieldMappings: mapping,
      defaultFieldMappings: false,
    });
  });

  it('refuses members with FORBIDDEN on setFieldMappings and resetFieldMappings, changing nothing', async () => {
    const team = await t.createTeam();
    const mapping = mappingsWith({ pinpointField: 'town', variable: 'LOCATION', updatePolicy: null });
    await setMappings(team.adminToken, mapping);
    const set = await t.gql(SET_MAPPINGS, { input: DEFAULT_MAPPINGS.slice(0, 3) }, team.memberToken);
    expect(set.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const reset = await t.gql(RESET_MAPPINGS, {}, team.memberToken);
    expect(reset.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await readSettings(team.adminToken)).fieldMappings).toEqual(mapping);
  });

  it('refuses a Pinpoint field mapped twice, naming the second entry', async () => {
    const team = await t.createTeam();
    await expectRefused(
      team,
      () =>
        setMappings(
          team.adminToken,
          mappingsWith({ pinpointField: 'phone', variable: 'PHONE', updatePolicy: 'ALWAYS_UPDATE' }),
        ),
      [['input', '5', 'pinpointField']],
      /already mapped \(entry 3\)/,
    );
  });

  it('refuses COMPANY → phone, JOB_TITLE → a standard attribute and LOCATION → address2', async () => {
    const team = await t.createTeam();
    await expectRefused(
      team,
      () =>
        setMappings(team.adminToken, [
          { pinpointField: 'email', variable: 'EMAIL' },
          { pinpointField: 'phone', variable: 'COMPANY' },
          { pinpointField: 'first_name', variable: 'JOB_TITLE' },
          { pinpointField: 'address2', variable: 'LOCATION' },
        ]),
      [
        ['input', '1', 'pinpointField'],
        ['input', '2', 'pinpointField'],
        ['input', '3', 'pinpointField'],
      ],
      /COMPANY cannot be mapped to `phone`/,
    );
  });

  it('refuses a variable mapped to another variable’s attribute, and unknown attributes', async () => {
    const team = await t.createTeam();
    await expectRefused(
      team,
      () =>
        setMappings(team.adminToken, [
          { pinpointField: 'email', variable: 'EMAIL' },
          { pinpointField: 'last_name', variable: 'FIRST_NAME' },
          { pinpointField: 'salary', variable: 'PHONE' },
        ]),
      [
        ['input', '1', 'pinpointField'],
        ['input', '2', 'pinpointField'],
      ],
    );
  });

  it('refuses a mapping without EMAIL → email, including an empty one', async () => {
    const team = await t.createTeam();
    await expectRefused(
      team,
      () =>
        setMappings(
          team.adminToken,
          DEFAULT_MAPPINGS.filter((m) => m.variable !== 'EMAIL'),
        ),
      [['input']],
      /EMAIL must stay mapped to `email`/,
    );
    await expectRefused(team, () => setMappings(team.adminToken, []), [['input']]);
  });

  it('refuses custom fields while Pinpoint is not connected', async () => {
    const team = await t.createTeam();
    await expectRefused(
      team,
      () =>
        setMappings(
          team.adminToken,
          mappingsWith({ pinpointField: 'custom:1', variable: 'COMPANY', updatePolicy: null }),
        ),
      [['input', '5', 'pinpointField']],
      /connect Pinpoint/,
    );
  });

  it('refuses a blank Pinpoint field with a field-level error', async () => {
    const team = await t.createTeam();
    await expectRefused(
      team,
      () =>
        setMappings(
          team.adminToken,
          mappingsWith({ pinpointField: '  ', variable: 'PHONE', updatePolicy: null }),
        ),
      [['input', '5', 'pinpointField']],
    );
  });
});

describe('mySettings and updateMySettings', () => {
  it('starts with every personal default null', async () => {
    const team = await t.createTeam();
    const res = await t.gql<{ mySettings: Record<string, unknown> }>(MY_SETTINGS, {}, team.memberToken);
    expect(res.data?.mySettings).toEqual({
      syncManualContactUpdates: null,
      addApplicationWhen: null,
      onlyAddNotesToSyncedRecords: null,
      fieldUpdatePolicy: null,
      activityNoteTypes: null,
      noteChannels: null,
    });
  });

  it('sets values, keeps the ones left out, clears with null, and keeps each user’s own', async () => {
    const team = await t.createTeam();
    const set = await updateMine(team.memberToken, {
      addApplicationWhen: 'REPLIED',
      activityNoteTypes: ['CALL_LOGGED', 'CALL_LOGGED'],
      noteChannels: [],
    });
    expect(set).toEqual({
      __typename: 'UserSettings',
      syncManualContactUpdates: null,
      addApplicationWhen: 'REPLIED',
      onlyAddNotesToSyncedRecords: null,
      fieldUpdatePolicy: null,
      activityNoteTypes: ['CALL_LOGGED'],
      noteChannels: [],
    });
    const cleared = await updateMine(team.memberToken, {
      activityNoteTypes: null,
      syncManualContactUpdates: false,
    });
    expect(cleared).toMatchObject({
      addApplicationWhen: 'REPLIED',
      activityNoteTypes: null,
      syncManualContactUpdates: false,
      noteChannels: [],
    });
    const mine = await t.gql<{ mySettings: Record<string, unknown> }>(MY_SETTINGS, {}, team.memberToken);
    expect(mine.data?.mySettings).toEqual({ ...cleared, __typename: undefined });
    // The admin's personal defaults and the team's settings are untouched.
    const admin = await t.gql<{ mySettings: Record<string, unknown> }>(MY_SETTINGS, {}, team.adminToken);
    expect(admin.data?.mySettings.addApplicationWhen).toBeNull();
    expect(await readSettings(team.adminToken)).toEqual(DEFAULTS);
  });

  it('refuses members with SettingsLockedError while the team is locked; admins still can', async () => {
    const team = await t.createTeam();
    await updateMine(team.memberToken, { fieldUpdatePolicy: 'ALWAYS_UPDATE' });
    await updateTeam(team.adminToken, { lockedForMembers: true });

    const refused = await updateMine(team.memberToken, { fieldUpdatePolicy: null });
    expect(refused.__typename).toBe('SettingsLockedError');
    expect(refused.message).toMatch(/locked/);
    const mine = await t.gql<{ mySettings: Record<string, unknown> }>(MY_SETTINGS, {}, team.memberToken);
    expect(mine.data?.mySettings.fieldUpdatePolicy).toBe('ALWAYS_UPDATE');

    const admin = await updateMine(team.adminToken, { addApplicationWhen: 'NEVER' });
    expect(admin).toMatchObject({ __typename: 'UserSettings', addApplicationWhen: 'NEVER' });

    await updateTeam(team.adminToken, { lockedForMembers: false });
    expect((await updateMine(team.memberToken, { fieldUpdatePolicy: null })).fieldUpdatePolicy).toBeNull();
  });
});
