import { graphql } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateToken } from '../../src/app/tokens.js';
import { createContext } from '../../src/context.js';
import { schema } from '../../src/graphql/schema.js';
import { openTestDatabase, TestServer, type TestTeam, usingPostgres } from '../helpers/server.js';

// Counts SQL statements while one operation runs: a page of campaigns × their first page of contacts
// must cost the same number of statements whatever the page sizes. The page query is executed
// in-process against the server's schema and services: over HTTP, graphql-armor's default cost limit
// (5,000) refuses a query this deep (it scores ~112,000) until src/http/app.ts configures `costLimit`.
let t: TestServer;
let counting = false;
let statements: string[] = [];
beforeAll(async () => {
  const database = await openTestDatabase({
    onQuery: (query) => {
      if (counting) statements.push(query);
    },
  });
  t = await TestServer.start({ database });
});
afterAll(async () => {
  await t?.stop();
  await t?.database.close();
});

const PAGE_QUERY = `{
  campaigns(first: 20) {
    totalCount
    edges { node {
      id name owner { email }
      effectiveSync { syncAs sources { setting source } }
      contacts(first: 20) {
        totalCount
        edges { node {
          id stage contact { email } override { syncAs }
          effectiveSync { addApplicationWhen fieldValues { field value } }
          missingMandatoryFields
        } }
      }
    } }
  }
}`;

async function build(team: TestTeam, campaigns: number, contacts: number): Promise<void> {
  for (let c = 0; c < campaigns; c++) {
    // Alternate owners so owners' defaults are batched for more than one user.
    const token = c % 2 === 0 ? team.adminToken : team.memberToken;
    const created = await t.gql<{ createCampaign: { id: string } }>(
      `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { ... on Campaign { id } } }`,
      {
        input: {
          name: `Campaign ${c}`,
          channel: 'EMAIL',
          syncAs: 'APPLICATION',
          fieldValues: [{ field: 'job', value: `${c}` }],
        },
      },
      token,
    );
    const campaignId = created.data?.createCampaign.id;
    expect(campaignId).toBeTruthy();
    const rows = Array.from({ length: contacts }, (_, i) => ({
      email: `person-${i}@example.com`,
      firstName: `First${i}`,
      lastName: i % 3 === 0 ? null : `Last${i}`,
    }));
    const added = await t.gql(
      `mutation($id: ID!, $contacts: [ContactInput!]!) { addContactsToCampaign(campaignId: $id, contacts: $contacts) { __typename } }`,
      { id: campaignId, contacts: rows },
      token,
    );
    expect(added.data?.addContactsToCampaign).toEqual({ __typename: 'AddContactsToCampaignPayload' });
  }
  // One override per campaign's first contact, so override and its tags are part of the page.
  const page = await t.gql<{
    campaigns: { edges: { node: { contacts: { edges: { node: { id: string } }[] } } }[] };
  }>(
    '{ campaigns(first: 20) { edges { node { contacts(first: 1) { edges { node { id } } } } } } }',
    {},
    team.adminToken,
  );
  for (const edge of page.data?.campaigns.edges ?? []) {
    const id = edge.node.contacts.edges[0]?.node.id;
    const res = await t.gql(
      `mutation($id: ID!) { setSyncOverride(campaignContactId: $id, input: { syncAs: DO_NOT_SYNC, fieldValues: [{ field: "stage", value: "7" }] }) { __typename } }`,
      { id },
      team.adminToken,
    );
    expect(res.data?.setSyncOverride).toEqual({ __typename: 'CampaignContact' });
  }
}

type PageResult = {
  campaigns: {
    totalCount: number;
    edges: { node: { contacts: { totalCount: number; edges: unknown[] } } }[];
  };
};

/** The web app's campaign dashboard (the read `npm run bench:api` measures). */
const DASHBOARD_QUERY = `{
  campaigns(first: 20) {
    edges { node { id name
      contacts(first: 20) { edges { node {
        id stage syncStatus
        override { syncAs }
        effectiveSync { syncAs addApplicationWhen fieldUpdatePolicy }
        contact { email firstName lastName company jobTitle }
      } } }
    } }
  }
}`;

async function measure(team: TestTeam, source = PAGE_QUERY) {
  const viewer = await authenticateToken(t.database.db, team.adminToken);
  const contextValue = createContext({ viewer, db: t.database.db, services: t.server.services });
  statements = [];
  counting = true;
  const started = performance.now();
  const res = await graphql({ schema, source, contextValue });
  const ms = performance.now() - started;
  counting = false;
  expect(res.errors).toBeUndefined();
  return { res: res as { data?: PageResult }, count: statements.length, ms, statements: [...statements] };
}

describe('a page of campaigns with their contacts', () => {
  it('runs the same number of SQL statements for 2 × 2 and 20 × 20', async () => {
    const small = await t.createTeam('Small');
    const large = await t.createTeam('Large');
    await build(small, 2, 2);
    await build(large, 20, 20);

    const a = await measure(small);
    const b = await measure(large);
    expect(a.res.data?.campaigns.totalCount).toBe(2);
    expect(b.res.data?.campaigns.totalCount).toBe(20);
    expect(b.res.data?.campaigns.edges).toHaveLength(20);
    for (const edge of b.res.data?.campaigns.edges ?? []) {
      expect(edge.node.contacts.totalCount).toBe(20);
      expect(edge.node.contacts.edges).toHaveLength(20);
    }
    // Repeat to time a warm request as well.
    const warm = await measure(large);
    const driver = usingPostgres ? 'PostgreSQL' : 'PGlite';
    console.log(
      `[n-plus-one] ${driver}: 2×2 → ${a.count} statements (${a.ms.toFixed(1)} ms); 20×20 → ${b.count} statements (${b.ms.toFixed(1)} ms first, ${warm.ms.toFixed(1)} ms warm)`,
    );
    if (a.count !== b.count) console.log(a.statements, b.statements);
    expect(b.count).toBe(a.count);
    expect(warm.count).toBe(a.count);
    expect(a.count).toBeLessThanOrEqual(12);
  });

  it('serves the campaign dashboard in 4 statements, 2 × 2 or 20 × 20', async () => {
    const small = await t.createTeam('Small dashboard');
    const large = await t.createTeam('Large dashboard');
    await build(small, 2, 2);
    await build(large, 20, 20);
    const a = await measure(small, DASHBOARD_QUERY);
    const b = await measure(large, DASHBOARD_QUERY);
    expect(b.res.data?.campaigns.edges).toHaveLength(20);
    if (a.count !== b.count) console.log(a.statements, b.statements);
    expect(b.count).toBe(a.count);
    // The campaigns page; their contacts' pages with the people; the owners with their personal
    // defaults; the team's settings (the bound is 6).
    expect(b.count).toBe(4);
  });
});
