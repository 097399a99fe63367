import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrationsTable } from '../../src/db/schema.js';
import {
  ACTIVATE,
  connectPinpoint,
  type PinpointSimulator,
  seedCompany,
  startSimulator,
} from '../helpers/pinpoint.js';
import { TestServer } from '../helpers/server.js';
import { record, wsClient } from '../helpers/subscriptions.js';

let sim: PinpointSimulator;
let t: TestServer;
/** Every API key handed to the server in this file: none may ever come back out. */
const keysSeen: string[] = [];
const responses: string[] = [];

beforeAll(async () => {
  sim = await startSimulator();
  t = await TestServer.start({
    env: {
      PINPOINT_BASE_URL: sim.baseUrlTemplate,
      ACTIVATION_TIMEOUT_MS: '600',
      PINPOINT_TIMEOUT_MS: '2000',
    },
  });
});
afterAll(async () => {
  await t?.stop();
  await sim?.close();
});

type ActivateResult = {
  activatePinpoint: {
    __typename: string;
    status?: string;
    domain?: string;
    apiKeyHint?: string;
    connectedAt?: string;
    message?: string;
    reason?: string;
    fieldErrors?: { path: string[]; message: string }[];
  };
};

async function activate(token: string, apiKey: string, domain: string) {
  keysSeen.push(apiKey);
  const res = await t.gql<ActivateResult>(ACTIVATE, { input: { apiKey, domain } }, token);
  responses.push(JSON.stringify(res.body));
  return res;
}

const INTEGRATION = `query { integration(provider: PINPOINT) { id status statusReason statusCode domain apiKeyHint connectedAt lastCheckedAt } }`;

describe('activatePinpoint', () => {
  it('connects with a valid key and domain, storing only a hint of the key', async () => {
    const team = await t.createTeam();
    const company = seedCompany(sim);
    const started = performance.now();
    const res = await activate(team.adminToken, company.apiKey, company.domain);
    const latency = performance.now() - started;
    console.log(`activatePinpoint latency against the simulator: ${latency.toFixed(1)} ms`);
    expect(res.data?.activatePinpoint).toMatchObject({
      __typename: 'Integration',
      status: 'CONNECTED',
      domain: company.domain,
      apiKeyHint: `••••${company.apiKey.slice(-4)}`,
    });
    expect(res.data?.activatePinpoint.connectedAt).toBeTruthy();
    const read = await t.gql<{ integration: { status: string } }>(INTEGRATION, {}, team.memberToken);
    expect(read.data?.integration.status).toBe('CONNECTED');
  });

  it.each([
    ['a bare subdomain', (d: string) => d],
    ['the pinpointhq.com host', (d: string) => `${d}.pinpointhq.com`],
    ['a full URL with a path', (d: string) => `https://${d.toUpperCase()}.pinpointhq.com/jobs `],
  ])('accepts the domain as %s', async (_label, form) => {
    const team = await t.createTeam();
    const company = seedCompany(sim);
    const res = await activate(team.adminToken, company.apiKey, form(company.domain));
    expect(res.data?.activatePinpoint.__typename).toBe('Integration');
    expect(res.data?.activatePinpoint.domain).toBe(company.domain);
  });

  it.each([
    'evil.com',
    'acme.pinpointhq.com.evil.com',
    '127.0.0.1',
    'localhost:80',
    'user@acme.pinpointhq.com',
    '-acme',
    '',
  ])('rejects the domain %j with a ValidationError on input.domain', async (domain) => {
    const team = await t.createTeam();
    const res = await activate(team.adminToken, 'pp_whatever_key', domain);
    expect(res.data?.activatePinpoint.__typename).toBe('ValidationError');
    expect(res.data?.activatePinpoint.fieldErrors?.map((f) => f.path.join('.'))).toContain('input.domain');
  });

  it('answers PinpointAuthError INVALID_API_KEY when Pinpoint says 401', async () => {
    const team = await t.createTeam();
    const company = seedCompany(sim);
    const res = await activate(team.adminToken, 'pp_wrong_key_1234', company.domain);
    expect(res.data?.activatePinpoint).toMatchObject({
      __typename: 'PinpointAuthError',
      reason: 'INVALID_API_KEY',
    });
  });

  it('answers PinpointAuthError FORBIDDEN when the key lacks a permission (403)', async () => {
    const team = await t.createTeam();
    const company = seedCompany(sim, { permissions: ['applications:read'] });
    const res = await activate(team.adminToken, company.apiKey, company.domain);
    expect(res.data?.activatePinpoint).toMatchObject({
      __typename: 'PinpointAuthError',
      reason: 'FORBIDDEN',
    });
    expect(res.data?.activatePinpoint.message).toMatch(/permission/);
  });

  it('answers PinpointUnknownDomainError for a domain with no Pinpoint account', async () => {
    const team = await t.createTeam();
    const res = await activate(team.adminToken, 'pp_some_key_5678', 'nosuchcompany');
    expect(res.data?.activatePinpoint).toMatchObject({
      __typename: 'PinpointUnknownDomainError',
      domain: 'nosuchcompany',
    });
  });

  it('answers PinpointUnreachableError within the bounded time when Pinpoint does not answer', async () => {
    const team = await t.createTeam();
    const company = seedCompany(sim);
    sim.setFaults(company.domain, { hang: { count: 1 } });
    const started = performance.now();
    const res = await activate(team.adminToken, company.apiKey, company.domain);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(res.data?.activatePinpoint.__typename).toBe('PinpointUnreachableError');
    sim.clearFaults(company.domain);
  });

  it('answers PinpointUnreachableError on a 5xx and stores nothing', async () => {
    const team = await t.createTeam();
    const company = seedCompany(sim);
    sim.setFaults(company.domain, { serverErrors: { count: 1, status: 503 } });
    const res = await activate(team.adminToken, company.apiKey, company.domain);
    expect(res.data?.activatePinpoint.__typename).toBe('PinpointUnreachableError');
    const read = await t.gql<{ integration: { status: string; domain: string | null } }>(
      INTEGRATION,
      {},
      team.adminToken,
    );
    expect(read.data?.integration).toMatchObject({ status: 'NOT_CONNECTED', domain: null });
  });

  it('keeps a working connection when a later activation with a bad key fails, and rotates on a good one', async () => {
    const team = await t.createTeam();
    const company = seedCompany(sim);
    await connectPinpoint(t, team, company);
    keysSeen.push(company.apiKey);
    const bad = await activate(team.adminToken, 'pp_typo_key_0000', company.domain);
    expect(bad.data?.activatePinpoint.__typename).toBe('PinpointAuthError');
    let read = await t.gql<{ integration: { status: string; apiKeyHint: string } }>(
      INTEGRATION,
      {},
      team.adminToken,
    );
    expect(read.data?.integration).toMatchObject({
      status: 'CONNECTED',
      apiKeyHint: `••••${company.apiKey.slice(-4)}`,
    });
    const newKey = 'pp_rotated_key_9z9z';
    sim.store.company(company.domain)?.apiKeys.set(newKey, new Set(['jobs:read']) as never);
    const rotated = await activate(team.adminToken, newKey, company.domain);
    expect(rotated.data?.activatePinpoint.__typename).toBe('Integration');
    read = await t.gql(INTEGRATION, {}, team.adminToken);
    expect(read.data?.integration.apiKeyHint).toBe('••••9z9z');
  });

  it('is for admins only: a member gets FORBIDDEN and nothing is stored', async () => {
    const team = await t.createTeam();
    const company = seedCompany(sim);
    keysSeen.push(company.apiKey);
    const res = await t.gql(
      ACTIVATE,
      { input: { apiKey: company.apiKey, domain: company.domain } },
      team.memberToken,
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const read = await t.gql<{ integration: { status: string } }>(INTEGRATION, {}, team.adminToken);
    expect(read.data?.integration.status).toBe('NOT_CONNECTED');
  });
});

describe('checkIntegration and deactivateIntegration', () => {
  const CHECK = `mutation { checkIntegration(provider: PINPOINT) { __typename ... on Integration { status statusCode statusReason lastCheckedAt } ... on Error { message } } }`;
  const DEACTIVATE = `mutation { deactivateIntegration(provider: PINPOINT) { __typename ... on Integration { status apiKeyHint domain } ... on Error { message } } }`;

  it('flips to ERROR with the reason when the stored key was revoked in Pinpoint', async () => {
    const team = await t.createTeam();
    const company = seedCompany(sim);
    await connectPinpoint(t, team, company);
    keysSeen.push(company.apiKey);
    const ok = await t.gql<{ checkIntegration: { status: string } }>(CHECK, {}, team.adminToken);
    expect(ok.data?.checkIntegration.status).toBe('CONNECTED');
    sim.store.company(company.domain)?.apiKeys.delete(company.apiKey);
    const res = await t.gql<{
      checkIntegration: { status: string; statusCode: string; statusReason: string };
    }>(CHECK, {}, team.adminToken);
    expect(res.data?.checkIntegration).toMatchObject({ status: 'ERROR', statusCode: 'INVALID_API_KEY' });
    expect(res.data?.checkIntegration.statusReason).toMatch(/API key/);
  });

  it('answers IntegrationNotConnectedError when nothing is connected', async () => {
    const team = await t.createTeam();
    const res = await t.gql<{ checkIntegration: { __typename: string } }>(CHECK, {}, team.adminToken);
    expect(res.data?.checkIntegration.__typename).toBe('IntegrationNotConnectedError');
    const de = await t.gql<{ deactivateIntegration: { __typename: string } }>(
      DEACTIVATE,
      {},
      team.adminToken,
    );
    expect(de.data?.deactivateIntegration.__typename).toBe('IntegrationNotConnectedError');
  });

  it('deactivation forgets the key and answers NOT_CONNECTED', async () => {
    const team = await t.createTeam();
    const company = seedCompany(sim);
    await connectPinpoint(t, team, company);
    keysSeen.push(company.apiKey);
    const res = await t.gql<{ deactivateIntegration: { status: string; apiKeyHint: string | null } }>(
      DEACTIVATE,
      {},
      team.adminToken,
    );
    expect(res.data?.deactivateIntegration).toMatchObject({ status: 'NOT_CONNECTED', apiKeyHint: null });
    const rows = await t.database.db.select().from(integrationsTable);
    expect(rows.find((r) => r.teamId === team.teamId)?.apiKeySealed).toBeNull();
  });
});

describe('concurrent changes', () => {
  it('two first activations at once both succeed and leave one integration', async () => {
    const team = await t.createTeam();
    const company = seedCompany(sim);
    const [a, b] = await Promise.all([
      activate(team.adminToken, company.apiKey, company.domain),
      activate(team.adminToken, company.apiKey, company.domain),
    ]);
    expect(a.data?.activatePinpoint.__typename).toBe('Integration');
    expect(b.data?.activatePinpoint.__typename).toBe('Integration');
    const rows = (await t.database.db.select().from(integrationsTable)).filter(
      (r) => r.teamId === team.teamId,
    );
    expect(rows).toHaveLength(1);
  });

  it('a check that finishes after a deactivation does not bring the integration back', async () => {
    const team = await t.createTeam();
    const company = seedCompany(sim);
    await connectPinpoint(t, team, company);
    keysSeen.push(company.apiKey);
    sim.setFaults(company.domain, { latencyMs: 300 });
    const check = t.gql(
      `mutation { checkIntegration(provider: PINPOINT) { __typename } }`,
      {},
      team.adminToken,
    );
    await new Promise((r) => setTimeout(r, 100));
    const off = await t.gql<{ deactivateIntegration: { status: string } }>(
      `mutation { deactivateIntegration(provider: PINPOINT) { ... on Integration { status } } }`,
      {},
      team.adminToken,
    );
    expect(off.data?.deactivateIntegration.status).toBe('NOT_CONNECTED');
    await check;
    sim.clearFaults(company.domain);
    const read = await t.gql<{ integration: { status: string; apiKeyHint: string | null } }>(
      INTEGRATION,
      {},
      team.adminToken,
    );
    expect(read.data?.integration).toMatchObject({ status: 'NOT_CONNECTED', apiKeyHint: null });
  });
});

describe('catalog queries', () => {
  it('lists the catalog filtered by search with this team’s state', async () => {
    const team = await t.createTeam();
    const all = await t.gql<{ integrations: { name: string; status: string }[] }>(
      '{ integrations { name status } }',
      {},
      team.memberToken,
    );
    expect(all.data?.integrations).toEqual([{ name: 'Pinpoint', status: 'NOT_CONNECTED' }]);
    const found = await t.gql<{ integrations: unknown[] }>(
      '{ integrations(search: "PIN") { name } }',
      {},
      team.memberToken,
    );
    expect(found.data?.integrations).toHaveLength(1);
    const none = await t.gql<{ integrations: unknown[] }>(
      '{ integrations(search: "greenhouse") { name } }',
      {},
      team.memberToken,
    );
    expect(none.data?.integrations).toHaveLength(0);
  });

  it('lists open jobs with stages and fields with custom fields once connected', async () => {
    const team = await t.createTeam();
    const company = seedCompany(sim);
    keysSeen.push(company.apiKey);
    const notYet = await t.gql('{ pinpointJobs { id } }', {}, team.memberToken);
    expect(notYet.errors?.[0]?.extensions?.code).toBe('INTEGRATION_NOT_CONNECTED');
    await connectPinpoint(t, team, company);
    const jobs = await t.gql<{
      pinpointJobs: { id: string; title: string; status: string; stages: { name: string }[] }[];
    }>('{ pinpointJobs { id title status stages { id name } } }', {}, team.memberToken);
    expect(jobs.data?.pinpointJobs.map((j) => j.title)).toEqual(['Backend Engineer', 'Account Executive']);
    expect(jobs.data?.pinpointJobs[0]?.stages.map((s) => s.name)).toEqual([
      'Applied',
      'Sourced',
      'Interview',
    ]);
    const fields = await t.gql<{
      pinpointFields: { key: string; label: string; custom: boolean; resourceType: string | null }[];
    }>('{ pinpointFields { key label custom resourceType } }', {}, team.memberToken);
    const keys = fields.data?.pinpointFields.map((f) => f.key) ?? [];
    expect(keys.slice(0, 3)).toEqual(['job', 'stage', 'tags']);
    expect(keys).toContain('phone');
    const custom = fields.data?.pinpointFields.filter((f) => f.custom) ?? [];
    expect(custom.map((f) => f.label)).toEqual(['Current company', 'Current title', 'Sourcing channel']);
    expect(custom.every((f) => f.key.startsWith('custom:'))).toBe(true);
  });
});

describe('integrationStatusChanged', () => {
  const SUB = 'subscription { integrationStatusChanged(provider: PINPOINT) { status domain } }';

  it('sends the current state, then CONNECTED after another connection activates; another team hears nothing', async () => {
    const team = await t.createTeam();
    const other = await t.createTeam();
    const company = seedCompany(sim);
    const mine = wsClient(t.wsUrl, team.memberToken);
    const theirs = wsClient(t.wsUrl, other.adminToken);
    type Msg = { integrationStatusChanged: { status: string; domain: string | null } };
    const mySub = record<Msg>(mine, SUB);
    const theirSub = record<Msg>(theirs, SUB);
    try {
      await mySub.waitFor((v) => v.length >= 1);
      await theirSub.waitFor((v) => v.length >= 1);
      expect(mySub.values[0]?.integrationStatusChanged.status).toBe('NOT_CONNECTED');
      await activate(team.adminToken, company.apiKey, company.domain);
      await mySub.waitFor((v) => v.some((m) => m.integrationStatusChanged.status === 'CONNECTED'));
      expect(mySub.values.at(-1)?.integrationStatusChanged.domain).toBe(company.domain);
      await new Promise((r) => setTimeout(r, 200));
      expect(theirSub.values).toHaveLength(1);
      responses.push(JSON.stringify(mySub.values), JSON.stringify(theirSub.values));
    } finally {
      mySub.dispose();
      theirSub.dispose();
      await mine.dispose();
      await theirs.dispose();
    }
  });
});

describe('secrets', () => {
  it('never puts an API key in a response, a subscription message, a log line, or the database in plain text', async () => {
    expect(keysSeen.length).toBeGreaterThan(5);
    const logs = t.logs.join('\n');
    const rows = await t.database.db.select().from(integrationsTable);
    const dbText = JSON.stringify(rows);
    expect(rows.some((r) => r.apiKeySealed?.startsWith('v1:'))).toBe(true);
    for (const key of keysSeen) {
      for (const body of responses) expect(body).not.toContain(key);
      expect(logs).not.toContain(key);
      expect(dbText).not.toContain(key);
    }
  });
});
