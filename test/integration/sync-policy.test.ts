import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addContacts,
  applicationsFor,
  createCampaign,
  person,
  readContact,
  recordActivity,
  recordReply,
  type SyncWorld,
  setupTeam,
  startSyncWorld,
  waitForIdle,
  waitForStatus,
} from '../helpers/sync.js';

let world: SyncWorld;
beforeAll(async () => {
  world = await startSyncWorld();
});
afterAll(async () => {
  await world?.stop();
});

describe('the Add Application trigger', () => {
  it('ADDED_TO_CAMPAIGN pushes the Application as soon as the contact is added', async () => {
    const team = await setupTeam(world, { addApplicationWhen: 'ADDED_TO_CAMPAIGN' });
    const campaignId = await createCampaign(world, team, {
      fieldValues: [
        { field: 'job', value: team.job.id },
        { field: 'stage', value: team.job.stages[1]!.id },
        { field: 'tags', values: ['Outbound', 'Q4'] },
      ],
    });
    const p = person(1, { linkedinUrl: 'https://linkedin.com/in/ada' });
    const [cc] = await addContacts(world, team, campaignId, [p]);
    const state = await waitForStatus(world, team, cc!, 'SYNCED');
    const apps = applicationsFor(world, team, p.email);
    expect(apps).toHaveLength(1);
    expect(apps[0]).toMatchObject({
      jobId: team.job.id,
      stageId: team.job.stages[1]!.id,
      skipNotificationsOnCreate: true,
    });
    expect(apps[0]!.tags.map((t) => t.tag)).toEqual(['Outbound', 'Q4']);
    expect(apps[0]!.attributes).toMatchObject({
      first_name: 'Ada',
      linkedin_url: 'https://linkedin.com/in/ada',
    });
    expect(state.pinpointApplicationId).toBe(apps[0]!.id);
    expect(state.pinpointCandidateId).toBe(apps[0]!.candidateId);
  });

  it('answers PENDING from addContactsToCampaign when a push is planned, NOT_SYNCED when not', async () => {
    const team = await setupTeam(world, { addApplicationWhen: 'ADDED_TO_CAMPAIGN' });
    const pushing = await createCampaign(world, team);
    const waiting = await createCampaign(world, team, { options: { addApplicationWhen: 'INTERESTED' } });
    const add = (campaignId: string) =>
      world.t.gql<{ addContactsToCampaign: { campaignContacts: { syncStatus: string }[] } }>(
        `mutation($id: ID!, $c: [ContactInput!]!) { addContactsToCampaign(campaignId: $id, contacts: $c) { ... on AddContactsToCampaignPayload { campaignContacts { syncStatus } } } }`,
        { id: campaignId, c: [person('pending')] },
        team.adminToken,
      );
    expect((await add(pushing)).data?.addContactsToCampaign.campaignContacts[0]?.syncStatus).toBe('PENDING');
    expect((await add(waiting)).data?.addContactsToCampaign.campaignContacts[0]?.syncStatus).toBe(
      'NOT_SYNCED',
    );
    await waitForIdle(world, team);
  });

  it('INTERESTED waits through added and replied, and pushes when the contact is marked interested', async () => {
    const team = await setupTeam(world); // the default trigger is INTERESTED
    const campaignId = await createCampaign(world, team);
    const p = person(2);
    const [cc] = await addContacts(world, team, campaignId, [p]);
    await waitForIdle(world, team);
    expect((await readContact(world, team, cc!)).syncStatus).toBe('NOT_SYNCED');
    await recordReply(world, team, cc!, false);
    await waitForIdle(world, team);
    expect((await readContact(world, team, cc!)).syncStatus).toBe('NOT_SYNCED');
    expect(applicationsFor(world, team, p.email)).toHaveLength(0);
    await recordReply(world, team, cc!, true);
    await waitForStatus(world, team, cc!, 'SYNCED');
    expect(applicationsFor(world, team, p.email)).toHaveLength(1);
  });

  it('REPLIED pushes on the first reply', async () => {
    const team = await setupTeam(world, { addApplicationWhen: 'REPLIED' });
    const campaignId = await createCampaign(world, team);
    const [cc] = await addContacts(world, team, campaignId, [person(3)]);
    await waitForIdle(world, team);
    expect((await readContact(world, team, cc!)).syncStatus).toBe('NOT_SYNCED');
    await recordReply(world, team, cc!, false);
    const state = await waitForStatus(world, team, cc!, 'SYNCED');
    expect(state.stage).toBe('REPLIED');
  });

  it('NEVER pushes nothing, even for an interested contact', async () => {
    const team = await setupTeam(world, { addApplicationWhen: 'NEVER' });
    const campaignId = await createCampaign(world, team);
    const p = person(4);
    const [cc] = await addContacts(world, team, campaignId, [p]);
    await recordReply(world, team, cc!, true);
    await waitForIdle(world, team);
    expect((await readContact(world, team, cc!)).syncStatus).toBe('NOT_SYNCED');
    expect(applicationsFor(world, team, p.email)).toHaveLength(0);
  });

  it('a contact already past a newly lowered trigger is pushed at the next event', async () => {
    const team = await setupTeam(world, { addApplicationWhen: 'INTERESTED' });
    const campaignId = await createCampaign(world, team);
    const [cc] = await addContacts(world, team, campaignId, [person(5)]);
    await recordReply(world, team, cc!, false);
    await waitForIdle(world, team);
    expect((await readContact(world, team, cc!)).syncStatus).toBe('NOT_SYNCED');
    const res = await world.t.gql(
      `mutation($id: ID!) { updateCampaignSync(id: $id, input: { options: { addApplicationWhen: REPLIED } }) { __typename } }`,
      { id: campaignId },
      team.adminToken,
    );
    expect(res.errors).toBeUndefined();
    await waitForStatus(world, team, cc!, 'SYNCED');
  });
});

describe('Sync as', () => {
  it('DO_NOT_SYNC pushes nothing and shows SKIPPED', async () => {
    const team = await setupTeam(world, { addApplicationWhen: 'ADDED_TO_CAMPAIGN' });
    const campaignId = await createCampaign(world, team, { syncAs: 'DO_NOT_SYNC' });
    const p = person(6);
    const [cc] = await addContacts(world, team, campaignId, [p]);
    await recordReply(world, team, cc!, true);
    await waitForStatus(world, team, cc!, 'SKIPPED');
    await waitForIdle(world, team);
    expect(applicationsFor(world, team, p.email)).toHaveLength(0);
    expect(world.sim.store.listComments(team.company.domain)).toHaveLength(0);
  });
});

describe('mandatory fields', () => {
  it('blocks with the missing fields, then pushes after an override fills them and retrySync', async () => {
    const team = await setupTeam(world, {
      addApplicationWhen: 'ADDED_TO_CAMPAIGN',
      displayedFields: ['job', 'stage'],
      mandatoryFields: ['job', 'stage'],
    });
    const campaignId = await createCampaign(world, team);
    const p = person(7);
    const [cc] = await addContacts(world, team, campaignId, [p]);
    const blocked = await waitForStatus(world, team, cc!, 'BLOCKED');
    expect(blocked.missingMandatoryFields).toEqual(['stage']);
    expect(blocked.lastSyncError).toMatch(/stage/);
    expect(applicationsFor(world, team, p.email)).toHaveLength(0);

    const set = await world.t.gql(
      `mutation($id: ID!, $input: SyncOverrideInput!) { setSyncOverride(campaignContactId: $id, input: $input) { __typename ... on CampaignContact { missingMandatoryFields } } }`,
      { id: cc, input: { fieldValues: [{ field: 'stage', value: team.job.stages[2]!.id }] } },
      team.memberToken,
    );
    expect(set.data).toMatchObject({
      setSyncOverride: { __typename: 'CampaignContact', missingMandatoryFields: [] },
    });
    const retried = await world.t.gql(
      `mutation($id: ID!) { retrySync(campaignContactId: $id) { __typename } }`,
      { id: cc },
      team.memberToken,
    );
    expect(retried.errors).toBeUndefined();
    await waitForStatus(world, team, cc!, 'SYNCED');
    expect(applicationsFor(world, team, p.email)[0]?.stageId).toBe(team.job.stages[2]!.id);
  });

  it('a 422 from Pinpoint fails the contact with the field Pinpoint named', async () => {
    const team = await setupTeam(world, { addApplicationWhen: 'ADDED_TO_CAMPAIGN' });
    const campaignId = await createCampaign(world, team, {
      fieldValues: [{ field: 'job', value: team.phoneJob.id }],
    });
    const [cc] = await addContacts(world, team, campaignId, [person(8)]);
    const failed = await waitForStatus(world, team, cc!, 'FAILED');
    expect(failed.lastSyncError).toMatch(/phone/);
  });
});

describe('existing candidates and the update policy', () => {
  async function withExistingCandidate(policy: 'ALWAYS_UPDATE' | 'ONLY_IF_BLANK') {
    const team = await setupTeam(world, {
      addApplicationWhen: 'ADDED_TO_CAMPAIGN',
      fieldUpdatePolicy: policy,
    });
    const email = `existing-${Math.random().toString(36).slice(2, 8)}@example.com`;
    world.sim.store.addCandidate(team.company.domain, {
      firstName: 'Augusta',
      lastName: 'King',
      email,
      phone: '+44 20 1111 1111',
    });
    const campaignId = await createCampaign(world, team);
    const [cc] = await addContacts(world, team, campaignId, [
      {
        email: email.toUpperCase(),
        firstName: 'Ada',
        lastName: 'Lovelace',
        phone: '+44 20 2222 2222',
        linkedinUrl: 'https://linkedin.com/in/ada',
      },
    ]);
    const state = await waitForStatus(world, team, cc!, 'SYNCED');
    const candidates = world.sim.store
      .listCandidates(team.company.domain)
      .filter((c) => String(c.attributes.email).toLowerCase() === email);
    return { team, state, candidates };
  }

  it('ONLY_IF_BLANK keeps what Pinpoint has and fills only empty fields', async () => {
    const { state, candidates } = await withExistingCandidate('ONLY_IF_BLANK');
    expect(candidates).toHaveLength(1);
    expect(state.pinpointCandidateId).toBe(candidates[0]!.id);
    expect(candidates[0]!.attributes).toMatchObject({
      first_name: 'Augusta',
      phone: '+44 20 1111 1111',
      linkedin_url: 'https://linkedin.com/in/ada',
    });
  });

  it('ALWAYS_UPDATE overwrites Pinpoint’s values with the contact’s', async () => {
    const { candidates } = await withExistingCandidate('ALWAYS_UPDATE');
    expect(candidates).toHaveLength(1);
    expect(candidates[0]!.attributes).toMatchObject({ first_name: 'Ada', phone: '+44 20 2222 2222' });
  });
});

describe('mapped custom fields and notifications', () => {
  it('writes a contact variable mapped to a candidate custom field, and sends notifications when the team turns suppression off', async () => {
    const team = await setupTeam(world, {
      addApplicationWhen: 'ADDED_TO_CAMPAIGN',
      suppressPinpointNotifications: false,
    });
    const companyField = team.company.customFieldIds[0]!; // "Current company", a candidate field
    const mapped = await world.t.gql<{ setFieldMappings: { __typename: string } }>(
      `mutation($input: [FieldMappingInput!]!) { setFieldMappings(input: $input) { __typename ... on Error { message } } }`,
      {
        input: [
          { pinpointField: 'first_name', variable: 'FIRST_NAME' },
          { pinpointField: 'last_name', variable: 'LAST_NAME' },
          { pinpointField: 'email', variable: 'EMAIL' },
          { pinpointField: `custom:${companyField}`, variable: 'COMPANY' },
        ],
      },
      team.adminToken,
    );
    expect(mapped.data?.setFieldMappings.__typename).toBe('TeamSettings');
    const campaignId = await createCampaign(world, team);
    const p = person('custom', { company: 'Analytical Engines Ltd' });
    const [cc] = await addContacts(world, team, campaignId, [p]);
    const state = await waitForStatus(world, team, cc!, 'SYNCED');
    const candidate = world.sim.store
      .listCandidates(team.company.domain)
      .find((c) => c.id === state.pinpointCandidateId)!;
    expect(candidate.customAttributes.map((a) => [a.customFieldId, a.value])).toEqual([
      [companyField, 'Analytical Engines Ltd'],
    ]);
    expect(applicationsFor(world, team, p.email)[0]?.skipNotificationsOnCreate).toBe(false);
  });
});

describe('notes', () => {
  it('with "only synced records" on, notes wait until the Application exists, then land in order', async () => {
    const team = await setupTeam(world); // INTERESTED trigger, notes toggle on by default
    const campaignId = await createCampaign(world, team);
    const p = person(9);
    const [cc] = await addContacts(world, team, campaignId, [p]);
    await recordActivity(world, team, cc!, {
      type: 'MESSAGE_SENT',
      subject: 'First touch',
      occurredAt: '2026-11-01T10:00:00.000Z',
    });
    await recordActivity(world, team, cc!, {
      type: 'MESSAGE_SENT',
      subject: 'Follow-up',
      occurredAt: '2026-11-03T10:00:00.000Z',
    });
    await recordActivity(world, team, cc!, {
      type: 'CALL_LOGGED',
      channel: 'CALL',
      occurredAt: '2026-11-04T10:00:00.000Z',
    });
    await waitForIdle(world, team);
    expect(world.sim.store.listComments(team.company.domain)).toHaveLength(0);
    await recordReply(world, team, cc!, true);
    const state = await waitForStatus(world, team, cc!, 'SYNCED');
    await waitForIdle(world, team);
    const comments = world.sim.store.listComments(team.company.domain);
    // Two messages (CALL_LOGGED is not a default note type), then the reply and the interest.
    expect(comments.map((c) => c.bodyText.split(' —')[0])).toEqual([
      'Message sent via email',
      'Message sent via email',
      'Reply received via email',
      'Marked as interested via email',
    ]);
    expect(comments[0]!.bodyText).toContain('Subject: First touch');
    expect(comments[1]!.bodyText).toContain('Subject: Follow-up');
    expect(
      comments.every(
        (c) => c.commentable.type === 'applications' && c.commentable.id === state.pinpointApplicationId,
      ),
    ).toBe(true);
  });

  it('with the toggle off, a pre-existing candidate with the same email gets the note at once', async () => {
    const team = await setupTeam(world, { onlyAddNotesToSyncedRecords: false });
    const email = `known-${Math.random().toString(36).slice(2, 8)}@example.com`;
    const candidateId = world.sim.store.addCandidate(team.company.domain, {
      firstName: 'Grace',
      lastName: 'Hopper',
      email,
    });
    const campaignId = await createCampaign(world, team);
    const [cc] = await addContacts(world, team, campaignId, [
      { email, firstName: 'Grace', lastName: 'Hopper' },
    ]);
    await recordActivity(world, team, cc!, { type: 'MESSAGE_SENT', subject: 'Hello Grace' });
    await waitForIdle(world, team);
    const comments = world.sim.store.listComments(team.company.domain);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.commentable).toEqual({ type: 'candidates', id: candidateId });
    expect((await readContact(world, team, cc!)).syncStatus).toBe('NOT_SYNCED');
    expect(applicationsFor(world, team, email)).toHaveLength(0);
  });

  it('an event delivered twice with the same eventId is recorded once', async () => {
    const team = await setupTeam(world, { addApplicationWhen: 'ADDED_TO_CAMPAIGN' });
    const campaignId = await createCampaign(world, team);
    const [cc] = await addContacts(world, team, campaignId, [person(10)]);
    await waitForStatus(world, team, cc!, 'SYNCED');
    const input = { type: 'MESSAGE_SENT', subject: 'Once only', eventId: 'evt-123' };
    await recordActivity(world, team, cc!, input);
    await recordActivity(world, team, cc!, input);
    await recordReply(world, team, cc!, false, 'evt-reply-1');
    await recordReply(world, team, cc!, false, 'evt-reply-1');
    await waitForIdle(world, team);
    const bodies = world.sim.store.listComments(team.company.domain).map((c) => c.bodyText.split(' —')[0]);
    expect(bodies).toEqual(['Message sent via email', 'Reply received via email']);
  });
});

describe('manual contact edits', () => {
  it('push a changed mapped field to the synced candidate when the toggle is on, and not when off', async () => {
    const team = await setupTeam(world, {
      addApplicationWhen: 'ADDED_TO_CAMPAIGN',
      fieldUpdatePolicy: 'ALWAYS_UPDATE',
    });
    const campaignId = await createCampaign(world, team);
    const p = person(11, { phone: '+1 415 555 0100' });
    const [cc] = await addContacts(world, team, campaignId, [p]);
    const synced = await waitForStatus(world, team, cc!, 'SYNCED');
    const candidate = () =>
      world.sim.store.listCandidates(team.company.domain).find((c) => c.id === synced.pinpointCandidateId)!;
    const edit = (phone: string) =>
      world.t.gql(
        `mutation($id: ID!, $input: ContactUpdateInput!) { updateContact(id: $id, input: $input) { __typename } }`,
        { id: synced.contact.id, input: { phone } },
        team.memberToken,
      );
    await edit('+1 415 555 0199');
    await waitForIdle(world, team);
    expect(candidate().attributes.phone).toBe('+1 415 555 0199');

    const { updateTeamSettings } = await import('../helpers/sync.js');
    await updateTeamSettings(world, team, { syncManualContactUpdates: false });
    await edit('+1 415 555 0142');
    await waitForIdle(world, team);
    expect(candidate().attributes.phone).toBe('+1 415 555 0199');
  });
});

describe('syncPreview', () => {
  it('explains what would happen without sending anything', async () => {
    const team = await setupTeam(world, { addApplicationWhen: 'REPLIED' });
    const campaignId = await createCampaign(world, team);
    const [cc] = await addContacts(world, team, campaignId, [person(12)]);
    await waitForIdle(world, team);
    const before = world.sim.store.requestLog(team.company.domain).length;
    const res = await world.t.gql<{ syncPreview: { steps: { action: string; reason: string }[] } }>(
      `query($id: ID!) { syncPreview(campaignContactId: $id) { steps { action reason } } }`,
      { id: cc },
      team.memberToken,
    );
    expect(res.data?.syncPreview.steps).toEqual([{ action: 'SKIP', reason: expect.stringMatching(/repl/i) }]);
    expect(world.sim.store.requestLog(team.company.domain).length).toBe(before);
    const other = await setupTeam(world);
    const foreign = await world.t.gql(
      `query($id: ID!) { syncPreview(campaignContactId: $id) { steps { action } } }`,
      { id: cc },
      other.adminToken,
    );
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
