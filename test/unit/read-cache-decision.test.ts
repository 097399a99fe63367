import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { isCacheableRead } from '../../src/graphql/read-cache.js';
import { schema } from '../../src/graphql/schema.js';

// Which operations the read cache may answer: only queries of team data (src/graphql/read-cache.ts).
const cacheable = (text: string, operationName?: string) =>
  isCacheableRead(schema, parse(text), operationName);

describe('which reads may be cached', () => {
  it.each([
    [
      'the dashboard',
      '{ campaigns(first: 5) { edges { node { id name contacts(first: 5) { edges { node { id stage syncStatus override { syncAs } effectiveSync { syncAs sources { setting source } } contact { email } } } } } } } }',
    ],
    [
      'one campaign with its owner',
      'query($id: ID!) { campaign(id: $id) { id owner { email role } fieldValues { field value } } }',
    ],
    [
      'fragments and __typename',
      'query Q { campaigns { ...C } } fragment C on CampaignConnection { __typename totalCount pageInfo { hasNextPage } edges { cursor node { ... on Campaign { id } } } }',
    ],
  ])('caches %s', (_what, text) => {
    expect(cacheable(text)).toBe(true);
  });

  it.each([
    [
      'a mutation',
      'mutation { createCampaign(input: { name: "x", channel: EMAIL, syncAs: APPLICATION }) { __typename } }',
    ],
    ['the viewer', '{ viewer { user { id } } }'],
    [
      'a campaign contact’s Pinpoint link',
      '{ campaigns { edges { node { contacts { edges { node { pinpointUrl } } } } } } }',
    ],
    [
      'the ATS status’s Pinpoint link',
      '{ campaigns { edges { node { contacts { edges { node { atsStatus { pinpointUrl } } } } } } } }',
    ],
    ['the rate limit beside the dashboard', '{ rateLimit { remaining } campaigns { totalCount } }'],
    ['sync events', '{ syncEvents { edges { node { id } } } }'],
    ['introspection', '{ __schema { queryType { name } } }'],
    ['a node by id', '{ node(id: "x") { id } }'],
    [
      'a fragment that reaches beyond team data',
      '{ campaigns { ...C } } fragment C on CampaignConnection { edges { node { contacts { edges { node { pinpointUrl } } } } } }',
    ],
  ])('does not cache %s', (_what, text) => {
    expect(cacheable(text)).toBe(false);
  });

  it('judges the named operation of a document with several', () => {
    const text = 'query A { campaigns { totalCount } } query B { viewer { user { id } } }';
    expect(cacheable(text, 'A')).toBe(true);
    expect(cacheable(text, 'B')).toBe(false);
  });
});
