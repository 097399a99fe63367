// Differential test: two servers on one database, one executing with graphql-jit and one with
// graphql-js, answer the same requests (same request id) with byte-for-byte the same status and
// body: every document the tests send, plus unions, abstract types, fragments, directives,
// variables, request errors, masked internal errors, introspection, and subscriptions' first event.
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addContacts, createCampaign, type Loose } from '../helpers/campaigns.js';
import { declaresVariable, hasRequiredVariable, testDocuments } from '../helpers/corpus.js';
import { globalId, openTestDatabase, TestServer, type TestTeam } from '../helpers/server.js';
import { wsClient } from '../helpers/subscriptions.js';

let failing: RegExp | null = null;
let jit: TestServer;
let reference: TestServer;
let team: TestTeam;
const ids: Record<string, string> = {};

beforeAll(async () => {
  const database = await openTestDatabase({
    onQuery: (query) => {
      if (failing?.test(query)) throw new Error('simulated failure');
    },
  });
  // Each instance counts rate limits in its own memory (and the set-up below goes to one of them), so
  // `rateLimit` would differ by design: both run without a limit, where the field answers null.
  jit = await TestServer.start({ database, env: { GRAPHQL_EXECUTOR: 'jit', RATE_LIMIT_REQUESTS: '0' } });
  reference = await TestServer.start({
    database,
    env: { GRAPHQL_EXECUTOR: 'graphql-js', RATE_LIMIT_REQUESTS: '0' },
  });
  team = await jit.createTeam();
  const campaign = await createCampaign(jit, team.adminToken);
  const contacts = await addContacts(jit, team.adminToken, campaign.id, [
    { email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' },
    { email: 'alan@example.com', firstName: 'Alan' },
  ]);
  ids.campaign = campaign.id;
  ids.campaignContact = (contacts[0] as Loose).id;
  // Warm-up: any once-a-minute bookkeeping (last_used_at) happens before the comparisons.
  await jit.gql('{ viewer { user { id } } }', {}, team.adminToken);
}, 60_000);

afterAll(async () => {
  await jit?.stop();
  await reference?.stop();
  await jit?.database.close();
});

let requestNumber = 0;

/** Sends one request to both servers; returns both answers (status, body) for comparison. */
async function both(
  query: string,
  variables: Record<string, unknown> = {},
  token: string | null = team.adminToken,
) {
  const requestId = `diff-${++requestNumber}`;
  const send = async (server: TestServer) => {
    const req = server.http().post('/graphql').set('x-request-id', requestId);
    if (token) req.set('authorization', `Bearer ${token}`);
    const res = await req.send({ query, variables });
    return { status: res.status, body: res.text };
  };
  return { jit: await send(jit), reference: await send(reference) };
}

async function expectSame(query: string, variables: Record<string, unknown> = {}, token?: string | null) {
  const answers = await both(query, variables, token);
  expect(answers.jit, `${query}\nvariables ${JSON.stringify(variables)}`).toEqual(answers.reference);
  return JSON.parse(answers.jit.body) as Loose;
}

function variableSets(): Record<string, unknown>[] {
  const common = {
    first: 2,
    c: ids.campaign,
    a: ids.campaign,
    b: ids.campaignContact,
    campaignId: ids.campaign,
  };
  return [{}, { ...common, id: ids.campaign }, { ...common, id: ids.campaignContact }];
}

describe('the compiled executor answers like graphql-js', () => {
  const corpus = testDocuments();

  afterAll(() => {
    // Every valid document ran compiled: none fell back to graphql-js.
    expect(jit.logs.filter((line) => line.includes('graphql-jit cannot compile'))).toEqual([]);
  });

  it('finds the test files’ documents', () => {
    expect(corpus.filter((d) => d.operation.operation === 'query').length).toBeGreaterThan(20);
    expect(corpus.filter((d) => d.operation.operation === 'subscription').length).toBeGreaterThan(3);
  });

  it('for every query the tests send, with and without variables', async () => {
    let withData = 0;
    for (const doc of corpus.filter((d) => d.operation.operation === 'query')) {
      for (const variables of variableSets()) {
        const body = await expectSame(doc.source, variables);
        if (body.data) withData++;
      }
    }
    expect(withData).toBeGreaterThan(20); // the corpus exercises resolvers, not only errors
  }, 120_000);

  it('for every mutation the tests send, on ids that do not exist and on missing variables', async () => {
    const missing = globalId('Campaign', '00000000-0000-4000-8000-000000000000');
    for (const doc of corpus.filter((d) => d.operation.operation === 'mutation')) {
      // Missing required variables never reach a resolver, so nothing changes.
      if (hasRequiredVariable(doc.operation)) await expectSame(doc.source, {});
      if (declaresVariable(doc.operation, 'id')) {
        await expectSame(doc.source, { id: missing, input: {}, contacts: [] });
      }
    }
  }, 120_000);

  it('for unions, interfaces, fragments, aliases, directives and variable defaults', async () => {
    const body = await expectSame(
      `query Dashboard($first: Int = 5, $withContacts: Boolean!, $skipOwner: Boolean!) {
        viewer { ...Me team { __typename id name } }
        byNode: node(id: "${ids.campaign}") { __typename id ... on Campaign { name } }
        person: node(id: "${ids.campaignContact}") { __typename ... on CampaignContact { stage contact { email } } }
        campaigns(first: $first) {
          totalCount
          edges { cursor node { id name owner @skip(if: $skipOwner) { email }
            contacts(first: 10) @include(if: $withContacts) { edges { node { id syncStatus contact { email } } } } } }
        }
      }
      fragment Me on Viewer { user { id email role } }`,
      { withContacts: true, skipOwner: true },
    );
    expect(body.data.campaigns.edges).toHaveLength(1);
  });

  it('for union results of mutations that fail validation or find nothing', async () => {
    await expectSame(
      `mutation { createCampaign(input: { name: "", channel: EMAIL, syncAs: APPLICATION }) {
        __typename ... on Error { message } ... on ValidationError { fieldErrors { path message } } } }`,
    );
    await expectSame(
      `mutation($id: ID!) { clearSyncOverride(campaignContactId: $id) { __typename ... on Error { message } } }`,
      { id: globalId('CampaignContact', '00000000-0000-4000-8000-000000000000') },
    );
  });

  it('for request errors: bad variables, bad ids, no token, wrong operation name', async () => {
    await expectSame('query($first: Int) { campaigns(first: $first) { totalCount } }', { first: 'many' });
    await expectSame('query($id: ID!) { campaign(id: $id) { id } }', {});
    await expectSame('{ node(id: "bogus") { id } }');
    await expectSame('{ campaign(id: "Q2FtcGFpZ246bm8=") { id } }');
    await expectSame('{ viewer { user { id } } }', {}, null);
    await expectSame('{ __typename }', {}, 'ppb_unknown');
    const named = await both('query A { __typename } query B { viewer { user { id } } }', {});
    expect(named.jit).toEqual(named.reference);
  });

  it('for masked internal errors, with the null bubbling to the nearest nullable field', async () => {
    // The viewer's own user and team come from the token lookup: the campaign owner is read.
    failing = /^select .* from "users" /i;
    try {
      const body = await expectSame(
        `{ viewer { user { email } team { name } } campaign(id: "${ids.campaign}") { name owner { email } } }`,
      );
      expect(body.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      failing = null;
    }
  });

  it('for introspection', async () => {
    const body = await expectSame(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true }));
    expect(body.data.__schema.types.length).toBeGreaterThan(50);
    await expectSame(
      '{ __type(name: "CampaignContact") { name fields { name type { kind name ofType { name } } } } }',
    );
  });

  it('for the first event of every subscription the tests open', async () => {
    const subscriptions = [
      ...corpus.filter((d) => d.operation.operation === 'subscription').map((d) => d.source),
      'subscription { integrationStatusChanged(provider: PINPOINT) { __typename provider status } }',
    ];
    let events = 0;
    for (const query of subscriptions) {
      for (const variables of variableSets().slice(0, 2)) {
        const [fromJit, fromReference] = [
          await firstEvent(jit, query, variables),
          await firstEvent(reference, query, variables),
        ];
        expect(fromJit, `${query}\n${JSON.stringify(variables)}`).toEqual(fromReference);
        if ((fromJit as { next?: unknown }).next) events++;
      }
    }
    expect(events).toBeGreaterThan(0);
  }, 120_000);
});

/** The first message of a subscription: its event, its error, its completion, or nothing within 0.8 s. */
async function firstEvent(server: TestServer, query: string, variables: Record<string, unknown>) {
  const client = wsClient(server.wsUrl, team.adminToken);
  try {
    return await new Promise<unknown>((resolve) => {
      const timer = setTimeout(() => resolve({ nothing: true }), 800);
      const settle = (outcome: unknown) => {
        clearTimeout(timer);
        resolve(outcome);
      };
      client.subscribe(
        { query, variables },
        {
          next: (message) => settle({ next: JSON.parse(JSON.stringify(message)) }),
          error: (error) => settle({ error: JSON.parse(JSON.stringify(error)) }),
          complete: () => settle({ complete: true }),
        },
      );
    });
  } finally {
    await client.dispose();
  }
}
