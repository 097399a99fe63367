// GraphQL operations and builders shared by the campaign, contact and override tests.
import { expect } from 'vitest';
import type { TestServer } from './server.js';

export const CAMPAIGN_FIELDS = `id name channel owner { id email } syncAs
  options { addApplicationWhen onlyAddNotesToSyncedRecords fieldUpdatePolicy activityNoteTypes noteChannels }
  fieldValues { field value values }
  effectiveSync { syncAs addApplicationWhen onlyAddNotesToSyncedRecords fieldUpdatePolicy activityNoteTypes noteChannels fieldValues { field value values } sources { setting source } }`;

export const ERROR_FIELDS = `... on Error { __typename message } ... on ValidationError { fieldErrors { path message } }`;

export const CREATE_CAMPAIGN = `mutation($input: CreateCampaignInput!) {
  createCampaign(input: $input) { __typename ... on Campaign { ${CAMPAIGN_FIELDS} } ${ERROR_FIELDS} }
}`;

export const UPDATE_CAMPAIGN_SYNC = `mutation($id: ID!, $input: CampaignSyncInput!) {
  updateCampaignSync(id: $id, input: $input) { __typename ... on Campaign { ${CAMPAIGN_FIELDS} } ${ERROR_FIELDS} }
}`;

export const CAMPAIGN_CONTACT_FIELDS = `id stage syncStatus lastSyncError pinpointCandidateId pinpointApplicationId pinpointUrl
  contact { id email firstName lastName phone company jobTitle location linkedinUrl }
  campaign { id }
  override { syncAs options { addApplicationWhen noteChannels } fieldValues { field value values } updatedAt }
  effectiveSync { syncAs addApplicationWhen noteChannels fieldValues { field value values } sources { setting source } }
  missingMandatoryFields`;

export const ADD_CONTACTS = `mutation($id: ID!, $contacts: [ContactInput!]!) {
  addContactsToCampaign(campaignId: $id, contacts: $contacts) {
    __typename
    ... on AddContactsToCampaignPayload { campaign { id } campaignContacts { ${CAMPAIGN_CONTACT_FIELDS} } }
    ${ERROR_FIELDS}
  }
}`;

export const SET_OVERRIDE = `mutation($id: ID!, $input: SyncOverrideInput!) {
  setSyncOverride(campaignContactId: $id, input: $input) {
    __typename ... on CampaignContact { ${CAMPAIGN_CONTACT_FIELDS} } ${ERROR_FIELDS}
  }
}`;

export const CLEAR_OVERRIDE = `mutation($id: ID!) {
  clearSyncOverride(campaignContactId: $id) { __typename ... on CampaignContact { ${CAMPAIGN_CONTACT_FIELDS} } ... on Error { message } }
}`;

// biome-ignore lint/suspicious/noExplicitAny: test results are read loosely
export type Loose = any;

export async function createCampaign(
  t: TestServer,
  token: string,
  input: Record<string, unknown> = {},
): Promise<Loose> {
  const res = await t.gql<Loose>(
    CREATE_CAMPAIGN,
    { input: { name: 'Backend engineers', channel: 'EMAIL', syncAs: 'APPLICATION', ...input } },
    token,
  );
  expect(res.errors).toBeUndefined();
  expect(res.data.createCampaign.__typename).toBe('Campaign');
  return res.data.createCampaign;
}

export async function addContacts(
  t: TestServer,
  token: string,
  campaignId: string,
  contacts: Record<string, unknown>[],
): Promise<Loose[]> {
  const res = await t.gql<Loose>(ADD_CONTACTS, { id: campaignId, contacts }, token);
  expect(res.errors).toBeUndefined();
  expect(res.data.addContactsToCampaign.__typename).toBe('AddContactsToCampaignPayload');
  return res.data.addContactsToCampaign.campaignContacts;
}

/** The source `effectiveSync.sources` names for a setting. */
export function sourceOf(effective: Loose, setting: string): string | undefined {
  return effective.sources.find((s: Loose) => s.setting === setting)?.source;
}
