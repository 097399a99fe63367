// The project's Pinpoint simulator for tests: one per test file, a fresh company (domain + key) per
// test, and `connectPinpoint` to activate it for a team through the real GraphQL API.
import { randomBytes } from 'node:crypto';
import { type PinpointSimulator, startPinpointSimulator } from '../../src/simulator/server.js';
import type { Permission } from '../../src/simulator/store.js';
import type { TestServer, TestTeam } from './server.js';

export type { PinpointSimulator };
export const startSimulator = () => startPinpointSimulator({ port: 0 });

export interface SimCompanyHandle {
  readonly domain: string;
  readonly apiKey: string;
  readonly jobs: { id: string; title: string; stages: { id: string; name: string }[] }[];
  readonly customFieldIds: string[];
}

/** A company with two open jobs (the second requires a phone), one closed job and custom fields. */
export function seedCompany(
  sim: PinpointSimulator,
  options: { permissions?: readonly Permission[] } = {},
): SimCompanyHandle {
  const domain = `co${randomBytes(5).toString('hex')}`;
  const apiKey = `pp_${randomBytes(16).toString('hex')}`;
  const created = sim.store.createCompany({
    domain,
    apiKeys: [{ key: apiKey, ...(options.permissions ? { permissions: options.permissions } : {}) }],
    jobs: [
      { title: 'Backend Engineer', stages: ['Applied', 'Sourced', 'Interview'] },
      { title: 'Account Executive', stages: ['Applied', 'Screen'], requiredFields: ['phone'] },
      { title: 'Old role', status: 'closed' },
    ],
    customFields: [
      { label: 'Current company', fieldType: 'string', resourceType: 'candidate' },
      { label: 'Current title', fieldType: 'string', resourceType: 'candidate' },
      { label: 'Sourcing channel', fieldType: 'string', resourceType: 'application' },
      { label: 'Job budget', fieldType: 'string', resourceType: 'job' },
    ],
  });
  return { domain, apiKey, jobs: created.jobs, customFieldIds: created.customFieldIds };
}

export const ACTIVATE = `mutation($input: ActivatePinpointInput!) {
  activatePinpoint(input: $input) {
    __typename
    ... on Integration { id status domain apiKeyHint connectedAt lastCheckedAt statusReason }
    ... on Error { message }
    ... on ValidationError { fieldErrors { path message } }
    ... on PinpointAuthError { reason }
    ... on PinpointUnknownDomainError { domain }
  }
}`;

/** Activates Pinpoint for the team through GraphQL and fails loudly if it does not connect. */
export async function connectPinpoint(
  t: TestServer,
  team: TestTeam,
  company: SimCompanyHandle,
): Promise<void> {
  const res = await t.gql<{ activatePinpoint: { __typename: string; status?: string; message?: string } }>(
    ACTIVATE,
    { input: { apiKey: company.apiKey, domain: company.domain } },
    team.adminToken,
  );
  const result = res.data?.activatePinpoint;
  if (result?.__typename !== 'Integration' || result.status !== 'CONNECTED') {
    throw new Error(`activatePinpoint failed: ${JSON.stringify(res.body)}`);
  }
}
