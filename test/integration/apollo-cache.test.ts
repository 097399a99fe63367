// Apollo Client (core, InMemoryCache with the README's typePolicies, HttpLink over real HTTP) against
// a real server: no cache warning, and no stale data after the mutations a settings screen makes.
import { readFileSync } from 'node:fs';
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { buildSchema, type GraphQLAbstractType, isInterfaceType, isUnionType } from 'graphql';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  addContacts,
  createCampaign,
  person,
  type SyncTeam,
  type SyncWorld,
  setupTeam,
  startSyncWorld,
} from '../helpers/sync.js';

/** Runs the README's `js` block that builds the cache, as a reader would paste it. */
function readmeCache(): {
  cache: InMemoryCache;
  typePolicies: Record<string, unknown>;
  possibleTypes: Record<string, string[]>;
} {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = [...readme.matchAll(/^```js\n([\s\S]*?)^```$/gm)]
    .map((m) => m[1]!)
    .find((body) => body.includes('new InMemoryCache({ possibleTypes, typePolicies })'));
  if (!block) throw new Error('README has no js block building an InMemoryCache with typePolicies');
  const body = block.replace(/^import .*$/gm, '').replace(/^export /gm, '');
  return new Function('InMemoryCache', `${body}\nreturn { cache, typePolicies, possibleTypes };`)(
    InMemoryCache,
  );
}

let world: SyncWorld;
let team: SyncTeam;
let campaignId: string;
let warnings: unknown[][];

beforeAll(async () => {
  world = await startSyncWorld();
  team = await setupTeam(world);
  campaignId = await createCampaign(world, team);
  await addContacts(world, team, campaignId, [person(1), person(2)]);
}, 60_000);
afterAll(() => world?.stop());

function client(cache: InMemoryCache): ApolloClient {
  warnings = [];
  // Apollo reports cache problems through console.warn/error (its invariant logger).
  for (const level of ['warn', 'error'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void warnings.push(args));
  }
  return new ApolloClient({
    cache,
    link: new HttpLink({
      uri: `${world.t.url}/graphql`,
      fetch,
      headers: { authorization: `Bearer ${team.adminToken}` },
    }),
  });
}
afterEach(() => vi.restoreAllMocks());

const CAMPAIGN_POLICY = gql`
  query CampaignPolicy($id: ID!) {
    campaign(id: $id) { id name effectiveSync { addApplicationWhen syncAs } }
  }
`;
const CAMPAIGN_SOURCES = gql`
  query CampaignSources($id: ID!) {
    campaign(id: $id) { id effectiveSync { sources { setting source } fieldUpdatePolicy } }
  }
`;
const CONTACTS = gql`
  query CampaignContacts($id: ID!) {
    campaign(id: $id) {
      id
      contacts(first: 10) { totalCount edges { cursor node { id stage effectiveSync { syncAs } } } }
    }
  }
`;
const CONTACTS_DETAIL = gql`
  query CampaignContactsDetail($id: ID!) {
    campaign(id: $id) {
      id
      contacts(first: 10) { pageInfo { hasNextPage } edges { node { id syncStatus effectiveSync { mandatoryFields } } } }
    }
  }
`;
const VIEWER_A = gql`query ViewerTeam { viewer { team { id name } } }`;
const VIEWER_B = gql`query ViewerUser { viewer { user { id email } } }`;
const TEAM_SETTINGS = gql`query TeamSettingsScreen { teamSettings { id addApplicationWhen lockedForMembers } }`;
const UPDATE_TEAM_SETTINGS = gql`
  mutation SaveTeamSettings($input: TeamSettingsInput!) {
    updateTeamSettings(input: $input) {
      __typename
      ... on TeamSettings { id addApplicationWhen }
      ... on ValidationError { message fieldErrors { path message } }
    }
  }
`;
const UPDATE_CAMPAIGN_SYNC = gql`
  mutation SaveCampaignSync($id: ID!, $input: CampaignSyncInput!) {
    updateCampaignSync(id: $id, input: $input) {
      __typename
      ... on Campaign { id effectiveSync { addApplicationWhen } }
      ... on Error { message }
    }
  }
`;

/** Two queries per object, each with other fields of the same object without an id. */
async function overlappingReads(apollo: ApolloClient): Promise<void> {
  await apollo.query({ query: CAMPAIGN_POLICY, variables: { id: campaignId } });
  await apollo.query({ query: CAMPAIGN_SOURCES, variables: { id: campaignId } });
  await apollo.query({ query: CONTACTS, variables: { id: campaignId } });
  await apollo.query({ query: CONTACTS_DETAIL, variables: { id: campaignId } });
  await apollo.query({ query: VIEWER_A });
  await apollo.query({ query: VIEWER_B });
}

describe('Apollo Client with the README typePolicies', () => {
  it('warns without them, so the warning capture below can see a problem', async () => {
    const apollo = client(new InMemoryCache());
    await overlappingReads(apollo);
    expect(warnings.map((w) => String(w[0])).join('\n')).toMatch(/Cache data may be lost/);
  });

  it('lists every object type that has no id in the schema', () => {
    const { typePolicies } = readmeCache();
    const sdl = readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
    const withoutId = [...sdl.matchAll(/^type (\w+)[^{]*\{([\s\S]*?)^\}/gm)]
      .filter(
        ([, name, body]) =>
          !['Query', 'Mutation', 'Subscription'].includes(name!) && !/^ {2}id: ID!$/m.test(body!),
      )
      .map(([, name]) => name!);
    expect(withoutId.length).toBeGreaterThan(10);
    expect(withoutId.filter((name) => !(name in typePolicies))).toEqual([]);
  });

  it('names the possible types of every union and interface exactly as the schema does', () => {
    const schema = buildSchema(readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8'));
    const expected = Object.fromEntries(
      Object.values(schema.getTypeMap())
        .filter((t) => (isUnionType(t) || isInterfaceType(t)) && !t.name.startsWith('__'))
        .map((t) => [
          t.name,
          schema
            .getPossibleTypes(t as GraphQLAbstractType)
            .map((p) => p.name)
            .sort(),
        ]),
    );
    expect(readmeCache().possibleTypes).toEqual(expected);
  });

  it('keeps every overlapping selection without a warning, each query still answered from the cache', async () => {
    const apollo = client(readmeCache().cache);
    await overlappingReads(apollo);
    expect(warnings).toEqual([]);
    const policy = apollo.readQuery<{ campaign: { effectiveSync: Record<string, unknown> } }>({
      query: CAMPAIGN_POLICY,
      variables: { id: campaignId },
    });
    const sources = apollo.readQuery<{ campaign: { effectiveSync: Record<string, unknown> } }>({
      query: CAMPAIGN_SOURCES,
      variables: { id: campaignId },
    });
    expect(policy?.campaign.effectiveSync.addApplicationWhen).toBeTypeOf('string');
    expect(sources?.campaign.effectiveSync.sources).toBeInstanceOf(Array);
    const contacts = apollo.readQuery<{
      campaign: { contacts: { edges: { node: { effectiveSync: unknown } }[] } };
    }>({ query: CONTACTS, variables: { id: campaignId } });
    expect(contacts?.campaign.contacts.edges).toHaveLength(2);
    expect(apollo.readQuery({ query: VIEWER_A })).not.toBeNull();
    expect(apollo.readQuery({ query: VIEWER_B })).not.toBeNull();
  });

  it('answers the new value from the cache after updateTeamSettings and updateCampaignSync', async () => {
    const apollo = client(readmeCache().cache);
    const before = await apollo.query<{ teamSettings: { addApplicationWhen: string } }>({
      query: TEAM_SETTINGS,
    });
    const next = before.data?.teamSettings.addApplicationWhen === 'REPLIED' ? 'INTERESTED' : 'REPLIED';
    const saved = await apollo.mutate({
      mutation: UPDATE_TEAM_SETTINGS,
      variables: { input: { addApplicationWhen: next } },
    });
    expect(saved.data).toMatchObject({
      updateTeamSettings: { __typename: 'TeamSettings', addApplicationWhen: next },
    });
    const cached = await apollo.query<{ teamSettings: { addApplicationWhen: string } }>({
      query: TEAM_SETTINGS,
      fetchPolicy: 'cache-only',
    });
    expect(cached.data?.teamSettings.addApplicationWhen).toBe(next);

    await apollo.query({ query: CAMPAIGN_POLICY, variables: { id: campaignId } });
    await apollo.query({ query: CAMPAIGN_SOURCES, variables: { id: campaignId } });
    const result = await apollo.mutate({
      mutation: UPDATE_CAMPAIGN_SYNC,
      variables: { id: campaignId, input: { options: { addApplicationWhen: 'NEVER' } } },
    });
    expect(result.data).toMatchObject({ updateCampaignSync: { __typename: 'Campaign' } });
    const campaign = apollo.readQuery<{ campaign: { effectiveSync: { addApplicationWhen: string } } }>({
      query: CAMPAIGN_POLICY,
      variables: { id: campaignId },
    });
    expect(campaign?.campaign.effectiveSync.addApplicationWhen).toBe('NEVER');
    // The other query's fields of the same effectiveSync survived the merge.
    const sources = apollo.readQuery<{ campaign: { effectiveSync: { sources: unknown[] } } }>({
      query: CAMPAIGN_SOURCES,
      variables: { id: campaignId },
    });
    expect(sources?.campaign.effectiveSync.sources.length).toBeGreaterThan(0);
    expect(warnings).toEqual([]);
  });
});
