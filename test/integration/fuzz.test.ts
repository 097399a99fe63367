import fc from 'fast-check';
import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema.js';
import { globalId, TestServer, type TestTeam } from '../helpers/server.js';

// Drives every mutation and every paginated field with generated input (issue 11, item 4): strings
// with control characters, NULs and lone surrogates, huge and negative numbers, malformed ids and
// cursors. No answer may be a 5xx or INTERNAL_SERVER_ERROR, and a refused call writes nothing.
const RUNS_PER_FIELD = 16;
let t: TestServer;
let team: TestTeam;
let realIds: string[] = [];
let tried = 0;

const TEAM_TABLES = [
  'campaigns',
  'contacts',
  'campaign_contacts',
  'integrations',
  'sync_jobs',
  'activities',
  'audit_log',
];

beforeAll(async () => {
  // Pinpoint is unreachable on purpose: activation and checks fail fast instead of waiting on DNS.
  t = await TestServer.start({
    env: { PINPOINT_BASE_URL: 'http://127.0.0.1:9/{domain}', PINPOINT_TIMEOUT_MS: '500' },
  });
  team = await t.createTeam('Fuzz');
  const created = await t.gql<{ createCampaign: { id: string } }>(
    `mutation { createCampaign(input: { name: "Seed", channel: EMAIL, syncAs: APPLICATION }) { ... on Campaign { id } } }`,
    {},
    team.adminToken,
  );
  const campaignId = created.data?.createCampaign.id as string;
  const added = await t.gql<{
    addContactsToCampaign: { campaignContacts: { id: string; contact: { id: string } }[] };
  }>(
    `mutation($id: ID!) { addContactsToCampaign(campaignId: $id, contacts: [{ email: "seed@example.com" }]) {
      ... on AddContactsToCampaignPayload { campaignContacts { id contact { id } } } } }`,
    { id: campaignId },
    team.adminToken,
  );
  const cc = added.data?.addContactsToCampaign.campaignContacts[0];
  realIds = [campaignId, cc?.id as string, cc?.contact.id as string];
}, 60_000);
afterAll(async () => {
  console.info(`fuzzer: ${tried} generated inputs tried`);
  await t?.stop();
});

const nastyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c)), maxLength: 12 }),
  fc.constantFrom('\u0000', 'a\u0000b', '\uD800', 'x\uDC00y', '\uDBFF\uDFFF', '', ' ', 'x'.repeat(5000)),
  fc.emailAddress(),
);
const cursorLike = fc.oneof(
  fc.base64String({ maxLength: 40 }),
  fc
    .tuple(
      fc.integer({ min: 0, max: 9999 }),
      fc.integer({ min: 0, max: 99 }),
      fc.integer({ min: 0, max: 99 }),
    )
    .map(([y, m, d]) =>
      Buffer.from(
        `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')} 12:00:00+00|00000000-0000-0000-0000-000000000000`,
      ).toString('base64url'),
    ),
);
const idLike = fc.oneof(
  fc.constantFrom(...['QWRtaW46eA==', globalId('__proto__', 'x'), globalId('Campaign', 'not-a-uuid')]),
  fc.uuid().map((u) => globalId('Campaign', u)),
  fc.uuid().map((u) => globalId('CampaignContact', u)),
  fc.constant(null).map(() => realIds[0] as string),
  fc.constant(null).map(() => realIds[1] as string),
  fc.constant(null).map(() => realIds[2] as string),
  nastyString,
);
const number = fc.oneof(
  fc.integer(),
  fc.constantFrom(-1, 0, 1, 20, 100, 101, 2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER, 1e308, -0.5),
);

/** A value for an input type: usually well-typed, sometimes null or the wrong kind. */
function valueFor(type: GraphQLInputType, name: string, depth = 0): fc.Arbitrary<unknown> {
  const typed = typedValue(type, name, depth);
  return fc.oneof({ weight: 8, arbitrary: typed }, { weight: 1, arbitrary: fc.constantFrom(null, 7, 'x') });
}

function typedValue(type: GraphQLInputType, name: string, depth: number): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return typedValue(type.ofType, name, depth);
  if (isListType(type))
    return fc.array(valueFor(type.ofType, name, depth + 1), { maxLength: depth > 2 ? 1 : 3 });
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    return fc.record(Object.fromEntries(fields.map((f) => [f.name, valueFor(f.type, f.name, depth + 1)])), {
      requiredKeys: fields.filter((f) => isNonNullType(f.type)).map((f) => f.name),
    });
  }
  if (isEnumType(type)) return fc.constantFrom(...type.getValues().map((v) => v.name));
  switch (getNamedType(type).name) {
    case 'Int':
    case 'Float':
      return number;
    case 'Boolean':
      return fc.boolean();
    case 'ID':
      return idLike;
    default:
      return name === 'after' || name === 'before' ? cursorLike : nastyString;
  }
}

function operationFor(kind: 'mutation' | 'query', field: GraphQLField<unknown, unknown>): string {
  const params = field.args.map((a) => `$${a.name}: ${a.type}`).join(', ');
  const args = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const selection = isLeafType(getNamedType(field.type)) ? '' : '{ __typename }';
  return `${kind}${params ? `(${params})` : ''} { ${field.name}${args ? `(${args})` : ''} ${selection} }`;
}

async function teamRowCounts(): Promise<number[]> {
  const counts: number[] = [];
  for (const table of TEAM_TABLES) {
    const rows = await t.database.db.execute(
      `select count(*)::int as n from ${table} where team_id = '${team.teamId}'`,
    );
    counts.push(
      Number((rows as unknown as { n: number }[])[0]?.n ?? (rows as { rows: { n: number }[] }).rows?.[0]?.n),
    );
  }
  return counts;
}

async function drive(query: string, args: readonly GraphQLArgument[], token: string): Promise<void> {
  const variables = fc.record(Object.fromEntries(args.map((a) => [a.name, valueFor(a.type, a.name)])));
  await fc.assert(
    fc.asyncProperty(variables, async (vars) => {
      tried++;
      const logStart = t.logs.length;
      const before = await teamRowCounts();
      const res = await t.gql(query, vars, token);
      expect(res.status).toBeLessThan(500);
      const codes = (res.errors ?? []).map((e) => e.extensions?.code);
      expect(codes).not.toContain('INTERNAL_SERVER_ERROR');
      expect(t.logs.slice(logStart).join('')).not.toContain('unexpected error');
      const payload = Object.values((res.data ?? {}) as Record<string, { __typename?: string } | null>)[0];
      const refused = res.errors !== undefined || /Error$/.test(payload?.__typename ?? '');
      if (refused) expect(await teamRowCounts()).toEqual(before);
    }),
    { numRuns: RUNS_PER_FIELD, seed: 11, endOnFailure: true },
  );
}

describe('generated input', () => {
  const mutations = Object.values(schema.getMutationType()?.getFields() ?? {});
  it.each(mutations.map((f) => [f.name, f] as const))(
    'never makes mutation %s fail internally or write when refused',
    async (_name, field) => {
      await drive(operationFor('mutation', field), field.args, team.adminToken);
    },
    60_000,
  );

  const paginated = Object.values(schema.getQueryType()?.getFields() ?? {}).filter((f) =>
    f.args.some((a) => a.name === 'first'),
  );
  it.each(paginated.map((f) => [f.name, f] as const))(
    'never makes paginated field %s fail internally',
    async (_name, field) => {
      await drive(operationFor('query', field), field.args, team.memberToken);
    },
    60_000,
  );

  it("never makes the team's audit log page fail internally", async () => {
    const teamType = schema.getType('Team');
    const field = isObjectType(teamType) ? teamType.getFields().auditLog : undefined;
    if (!field) throw new Error('Team.auditLog is missing');
    const params = field.args.map((a) => `$${a.name}: ${a.type}`).join(', ');
    const args = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
    const query = `query(${params}) { viewer { team { auditLog(${args}) { totalCount } } } }`;
    await drive(query, field.args, team.adminToken);
  }, 60_000);

  it("never makes a campaign's contacts page fail internally", async () => {
    const campaign = schema.getType('Campaign');
    const field = isObjectType(campaign) ? campaign.getFields().contacts : undefined;
    if (!field) throw new Error('Campaign.contacts is missing');
    const params = field.args.map((a) => `$${a.name}: ${a.type}`).join(', ');
    const args = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
    const query = `query($id: ID!, ${params}) { campaign(id: $id) { __typename ... on Campaign { contacts(${args}) { totalCount } } } }`;
    const idArg = { name: 'id', type: schema.getType('ID') } as unknown as GraphQLArgument;
    await drive(query, [idArg, ...field.args], team.memberToken);
  }, 60_000);
});
