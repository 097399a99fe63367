// The audit log of admin actions (issue 11, item 10): every team-wide admin change writes exactly one
// entry in its own transaction, with the changed values before and after and never a secret; only
// admins read it, only their own team's, newest first, in keyset pages.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditLog } from '../../src/app/audit-log.js';
import { authenticateToken } from '../../src/app/tokens.js';
import { createContext } from '../../src/context.js';
import { integrationsTable } from '../../src/db/schema.js';
import { ForbiddenError } from '../../src/errors.js';
import { SET_SECRET } from '../helpers/ats.js';
import {
  ACTIVATE,
  connectPinpoint,
  type PinpointSimulator,
  type SimCompanyHandle,
  seedCompany,
  startSimulator,
} from '../helpers/pinpoint.js';
import { globalId, TestServer, type TestTeam } from '../helpers/server.js';

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

const AUDIT_LOG = `query($first: Int, $after: String, $actions: [AuditAction!]) {
  viewer { team { auditLog(first: $first, after: $after, actions: $actions) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id action target provider occurredAt actor { id email } changes { field before after } } }
  } } }
}`;
const CHECK = `mutation { checkIntegration(provider: PINPOINT) { __typename ... on Integration { status } } }`;
const DEACTIVATE = `mutation { deactivateIntegration(provider: PINPOINT) { __typename ... on Integration { status } } }`;
const UPDATE_TEAM = `mutation($input: TeamSettingsInput!) { updateTeamSettings(input: $input) { __typename } }`;
const SET_MAPPINGS = `mutation($input: [FieldMappingInput!]!) { setFieldMappings(input: $input) { __typename } }`;
const RESET_MAPPINGS = 'mutation { resetFieldMappings { __typename } }';

interface Entry {
  id: string;
  action: string;
  target: string;
  provider: string | null;
  occurredAt: string;
  actor: { id: string; email: string } | null;
  changes: { field: string; before: string; after: string }[];
}
interface LogPage {
  totalCount: number;
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  edges: { cursor: string; node: Entry }[];
}

async function readLog(token: string, variables: Record<string, unknown> = {}) {
  return t.gql<{ viewer: { team: { auditLog: LogPage | null } } }>(AUDIT_LOG, variables, token);
}

/** The whole log, newest first, for an admin. */
async function entries(team: TestTeam, actions?: string[]): Promise<Entry[]> {
  const res = await readLog(team.adminToken, { first: 100, ...(actions ? { actions } : {}) });
  expect(res.errors).toBeUndefined();
  return res.data!.viewer.team.auditLog!.edges.map((e) => e.node);
}

/** An entry's changes as field → [before, after], the JSON text parsed. */
function changes(entry: Entry): Record<string, [unknown, unknown]> {
  return Object.fromEntries(entry.changes.map((c) => [c.field, [JSON.parse(c.before), JSON.parse(c.after)]]));
}

/** The team's audit rows as stored, as one text (for counting and for secret scans). */
async function storedRows(teamId: string): Promise<{ count: number; text: string }> {
  const result = await t.database.db.execute(
    sql`select coalesce(json_agg(a), '[]'::json)::text as rows, count(*)::int as n from audit_log a where team_id = ${teamId}`,
  );
  const row = ((result as { rows?: unknown[] }).rows ?? (result as unknown as unknown[]))[0] as {
    rows: string;
    n: number;
  };
  return { count: Number(row.n), text: row.rows };
}

async function activate(token: string, apiKey: string, domain: string) {
  const res = await t.gql<{ activatePinpoint: { __typename: string } }>(
    ACTIVATE,
    { input: { apiKey, domain } },
    token,
  );
  return res.data?.activatePinpoint.__typename;
}

/** A second key Pinpoint accepts for the company, with the same permissions. */
function addKey(company: SimCompanyHandle): string {
  const key = `pp_${randomBytes(16).toString('hex')}`;
  const stored = sim.store.company(company.domain)!;
  stored.apiKeys.set(key, new Set(stored.apiKeys.get(company.apiKey)));
  return key;
}

const hint = (secret: string) => `••••${secret.slice(-4)}`;

describe('each admin action writes one entry with its before and after', () => {
  it('activate, rotate, check, deactivate and activate again, newest first, by the admin', async () => {
    const team = await t.createTeam();
    const company = seedCompany(sim);
    const second = addKey(company);
    expect(await activate(team.adminToken, company.apiKey, company.domain)).toBe('Integration');
    expect(await activate(team.adminToken, second, company.domain)).toBe('Integration');
    sim.store.company(company.domain)?.apiKeys.delete(second);
    expect((await t.gql(CHECK, {}, team.adminToken)).data).toEqual({
      checkIntegration: { __typename: 'Integration', status: 'ERROR' },
    });
    expect(await activate(team.adminToken, company.apiKey, company.domain)).toBe('Integration');
    expect((await t.gql(DEACTIVATE, {}, team.adminToken)).data).toMatchObject({
      deactivateIntegration: { status: 'NOT_CONNECTED' },
    });
    expect(await activate(team.adminToken, company.apiKey, company.domain)).toBe('Integration');

    const log = await entries(team);
    expect(log.map((e) => e.action)).toEqual([
      'INTEGRATION_ACTIVATED',
      'INTEGRATION_DEACTIVATED',
      'API_KEY_ROTATED',
      'INTEGRATION_CHECKED',
      'API_KEY_ROTATED',
      'INTEGRATION_ACTIVATED',
    ]);
    for (const entry of log) {
      expect(entry).toMatchObject({
        target: 'INTEGRATION',
        provider: 'PINPOINT',
        actor: { id: globalId('User', team.adminId) },
      });
    }
    const [reactivated, deactivated, fromError, checked, rotated, activated] = log.map(changes);
    expect(activated).toMatchObject({
      status: ['NOT_CONNECTED', 'CONNECTED'],
      domain: [null, company.domain],
      apiKeyHint: [null, hint(company.apiKey)],
    });
    expect(rotated).toMatchObject({ apiKeyHint: [hint(company.apiKey), hint(second)] });
    expect(rotated).not.toHaveProperty('status');
    expect(checked).toMatchObject({ status: ['CONNECTED', 'ERROR'], statusCode: [null, 'INVALID_API_KEY'] });
    expect(checked).not.toHaveProperty('apiKeyHint');
    expect(fromError).toMatchObject({
      status: ['ERROR', 'CONNECTED'],
      statusCode: ['INVALID_API_KEY', null],
      apiKeyHint: [hint(second), hint(company.apiKey)],
    });
    expect(deactivated).toMatchObject({
      status: ['CONNECTED', 'NOT_CONNECTED'],
      apiKeyHint: [hint(company.apiKey), null],
    });
    expect(deactivated).not.toHaveProperty('domain');
    expect(reactivated).toMatchObject({
      status: ['NOT_CONNECTED', 'CONNECTED'],
      apiKeyHint: [null, hint(company.apiKey)],
    });
    const times = log.map((e) => Date.parse(e.occurredAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('setting and replacing the webhook secret: WEBHOOK_SECRET_SET, then WEBHOOK_SECRET_ROTATED', async () => {
    const team = await t.createTeam();
    await connectPinpoint(t, team, seedCompany(sim));
    const first = `whsec_${randomBytes(12).toString('hex')}`;
    const second = `whsec_${randomBytes(12).toString('hex')}`;
    for (const secret of [first, second]) {
      const res = await t.gql<{ setPinpointWebhookSecret: { __typename: string } }>(
        SET_SECRET,
        { secret },
        team.adminToken,
      );
      expect(res.data?.setPinpointWebhookSecret.__typename).toBe('Integration');
    }
    const [rotated, set] = await entries(team, ['WEBHOOK_SECRET_SET', 'WEBHOOK_SECRET_ROTATED']);
    expect(set?.action).toBe('WEBHOOK_SECRET_SET');
    expect(changes(set!)).toMatchObject({ webhookSecretHint: [null, hint(first)] });
    expect(rotated?.action).toBe('WEBHOOK_SECRET_ROTATED');
    expect(changes(rotated!).webhookSecretHint).toEqual([hint(first), hint(second)]);
    expect(changes(rotated!).webhookSecretSetAt?.[0]).toBeTypeOf('string');
  });

  it('team settings: only the changed values, as the API names them; saving the same again records no change', async () => {
    const team = await t.createTeam();
    const input = {
      addApplicationWhen: 'REPLIED',
      displayedFields: ['job', 'stage', 'tags'],
      lockedForMembers: false,
    };
    for (let i = 0; i < 2; i++) {
      const res = await t.gql<{ updateTeamSettings: { __typename: string } }>(
        UPDATE_TEAM,
        { input },
        team.adminToken,
      );
      expect(res.data?.updateTeamSettings.__typename).toBe('TeamSettings');
    }
    const [again, first] = await entries(team);
    expect(first).toMatchObject({ action: 'TEAM_SETTINGS_UPDATED', target: 'TEAM_SETTINGS', provider: null });
    expect(changes(first!)).toEqual({
      addApplicationWhen: ['INTERESTED', 'REPLIED'],
      displayedFields: [
        ['job', 'stage'],
        ['job', 'stage', 'tags'],
      ],
    });
    expect(again).toMatchObject({ action: 'TEAM_SETTINGS_UPDATED', changes: [] });
  });

  it('field mappings: FIELD_MAPPINGS_SET with the mapping before and after, FIELD_MAPPINGS_RESET back', async () => {
    const team = await t.createTeam();
    const mapping = [
      { pinpointField: 'email', variable: 'EMAIL', updatePolicy: null },
      { pinpointField: 'first_name', variable: 'FIRST_NAME', updatePolicy: 'ALWAYS_UPDATE' },
    ];
    const set = await t.gql<{ setFieldMappings: { __typename: string } }>(
      SET_MAPPINGS,
      { input: mapping },
      team.adminToken,
    );
    expect(set.data?.setFieldMappings.__typename).toBe('TeamSettings');
    const reset = await t.gql<{ resetFieldMappings: { __typename: string } }>(
      RESET_MAPPINGS,
      {},
      team.adminToken,
    );
    expect(reset.data?.resetFieldMappings.__typename).toBe('TeamSettings');

    const [resetEntry, setEntry] = await entries(team);
    expect(setEntry).toMatchObject({ action: 'FIELD_MAPPINGS_SET', target: 'FIELD_MAPPINGS' });
    const [before, after] = changes(setEntry!).fieldMappings as [unknown[], unknown[]];
    expect(before).toHaveLength(5);
    expect(after).toEqual(mapping);
    expect(changes(setEntry!).defaultFieldMappings).toEqual([true, false]);
    expect(resetEntry?.action).toBe('FIELD_MAPPINGS_RESET');
    expect(changes(resetEntry!).fieldMappings).toEqual([after, before]);
    expect(changes(resetEntry!).defaultFieldMappings).toEqual([false, true]);
  });

  it('concurrent changes each get their own entry', async () => {
    const team = await t.createTeam();
    const values = ['ADDED_TO_CAMPAIGN', 'REPLIED', 'INTERESTED', 'NEVER', 'REPLIED', 'ADDED_TO_CAMPAIGN'];
    const results = await Promise.all(
      values.map((addApplicationWhen) =>
        t.gql(UPDATE_TEAM, { input: { addApplicationWhen } }, team.adminToken),
      ),
    );
    for (const res of results) expect(res.errors).toBeUndefined();
    expect((await storedRows(team.teamId)).count).toBe(values.length);
  });
});

describe('a refused or failed change writes no entry', () => {
  it('bad input, refused keys, nothing to change and members leave the log empty', async () => {
    const team = await t.createTeam();
    const company = seedCompany(sim);
    const attempts: [string, Record<string, unknown>, string][] = [
      [ACTIVATE, { input: { apiKey: 'pp_wrong_key_1234', domain: company.domain } }, team.adminToken],
      [ACTIVATE, { input: { apiKey: 'has spaces', domain: company.domain } }, team.adminToken],
      [ACTIVATE, { input: { apiKey: company.apiKey, domain: company.domain } }, team.memberToken],
      [CHECK, {}, team.adminToken],
      [DEACTIVATE, {}, team.adminToken],
      [SET_SECRET, { secret: 'whsec_before_activation' }, team.adminToken],
      [UPDATE_TEAM, { input: { mandatoryFields: ['tags'] } }, team.adminToken],
      [UPDATE_TEAM, { input: { addApplicationWhen: null } }, team.adminToken],
      [UPDATE_TEAM, { input: { addApplicationWhen: 'REPLIED' } }, team.memberToken],
      [SET_MAPPINGS, { input: [{ pinpointField: 'first_name', variable: 'FIRST_NAME' }] }, team.adminToken],
      [SET_MAPPINGS, { input: [{ pinpointField: 'email', variable: 'EMAIL' }] }, team.memberToken],
      [RESET_MAPPINGS, {}, team.memberToken],
    ];
    for (const [query, variables, token] of attempts) {
      const res = await t.gql(query, variables, token);
      const payload = Object.values(res.data ?? {})[0] as { __typename?: string } | null | undefined;
      const refused = res.errors !== undefined || /Error$/.test(payload?.__typename ?? '');
      expect(
        refused,
        `${query} ${JSON.stringify(variables)} was not refused: ${JSON.stringify(res.body)}`,
      ).toBe(true);
    }
    expect((await storedRows(team.teamId)).count).toBe(0);

    // Connected now: a rotation Pinpoint refuses and a bad secret still write nothing.
    await connectPinpoint(t, team, company);
    expect(await activate(team.adminToken, 'pp_wrong_key_5678', company.domain)).toBe('PinpointAuthError');
    const badSecret = await t.gql<{ setPinpointWebhookSecret: { __typename: string } }>(
      SET_SECRET,
      { secret: 'two words' },
      team.adminToken,
    );
    expect(badSecret.data?.setPinpointWebhookSecret.__typename).toBe('ValidationError');
    expect((await t.gql(DEACTIVATE, {}, team.memberToken)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await entries(team)).map((e) => e.action)).toEqual(['INTEGRATION_ACTIVATED']);
    expect((await storedRows(team.teamId)).count).toBe(1);
  });
});

describe('the entry and its change commit together', () => {
  it('when the audit entry cannot be written, the change is rolled back too', async () => {
    const team = await t.createTeam();
    const company = seedCompany(sim);
    await connectPinpoint(t, team, company);
    const suffix = randomBytes(4).toString('hex');
    // A real database refusal, for this team's entries only (test files share PostgreSQL).
    await t.database.db.execute(
      sql.raw(`create function audit_refuse_${suffix}() returns trigger language plpgsql as
        $$ begin raise exception 'audit write refused (test)'; end $$`),
    );
    await t.database.db.execute(
      sql.raw(`create trigger audit_refuse_${suffix} before insert on audit_log for each row
        when (new.team_id = '${team.teamId}') execute function audit_refuse_${suffix}()`),
    );
    const READ = `{ teamSettings { addApplicationWhen fieldMappings { pinpointField } }
      integration(provider: PINPOINT) { status apiKeyHint webhookSecretHint } }`;
    try {
      const before = await t.gql(READ, {}, team.adminToken);
      const attempts: [string, Record<string, unknown>][] = [
        [UPDATE_TEAM, { input: { addApplicationWhen: 'NEVER' } }],
        [SET_MAPPINGS, { input: [{ pinpointField: 'email', variable: 'EMAIL' }] }],
        [ACTIVATE, { input: { apiKey: addKey(company), domain: company.domain } }],
        [SET_SECRET, { secret: 'whsec_never_stored' }],
        [DEACTIVATE, {}],
      ];
      for (const [query, variables] of attempts) {
        const res = await t.gql(query, variables, team.adminToken);
        expect(
          res.errors?.map((e) => e.extensions?.code),
          query,
        ).toEqual(['INTERNAL_SERVER_ERROR']);
      }
      expect((await t.gql(READ, {}, team.adminToken)).data).toEqual(before.data);
    } finally {
      await t.database.db.execute(sql.raw(`drop trigger audit_refuse_${suffix} on audit_log`));
      await t.database.db.execute(sql.raw(`drop function audit_refuse_${suffix}()`));
    }
    expect((await entries(team)).map((e) => e.action)).toEqual(['INTEGRATION_ACTIVATED']);
  });
});

describe('who may read it', () => {
  it('a member gets FORBIDDEN and null, from the field, from node(id) and from the use case', async () => {
    const team = await t.createTeam();
    await t.gql(UPDATE_TEAM, { input: { lockedForMembers: true } }, team.adminToken);
    const [entry] = await entries(team);
    expect(entry).toBeDefined();

    const res = await readLog(team.memberToken);
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(res.data?.viewer.team.auditLog).toBeNull();
    const NODE = 'query($id: ID!) { node(id: $id) { __typename ... on AuditEntry { action } } }';
    expect((await t.gql(NODE, { id: entry!.id }, team.memberToken)).data).toEqual({ node: null });
    expect((await t.gql(NODE, { id: entry!.id }, team.adminToken)).data).toEqual({
      node: { __typename: 'AuditEntry', action: 'TEAM_SETTINGS_UPDATED' },
    });

    const viewer = await authenticateToken(t.database.db, team.memberToken);
    const member = createContext({ viewer, db: t.database.db, services: t.server.services });
    await expect(listAuditLog(member, { first: 10, after: null }, { actions: null })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
  });

  it("another team's admin never sees the team's entries, by list, cursor or node(id)", async () => {
    const a = await t.createTeam('A');
    const b = await t.createTeam('B');
    await t.gql(UPDATE_TEAM, { input: { addApplicationWhen: 'NEVER' } }, a.adminToken);
    await t.gql(UPDATE_TEAM, { input: { addApplicationWhen: 'REPLIED' } }, a.adminToken);
    const aPage = (await readLog(a.adminToken, { first: 1 })).data!.viewer.team.auditLog!;
    expect(aPage.totalCount).toBe(2);

    expect((await readLog(b.adminToken)).data!.viewer.team.auditLog).toMatchObject({
      totalCount: 0,
      edges: [],
    });
    await t.gql(UPDATE_TEAM, { input: { lockedForMembers: true } }, b.adminToken);
    const bLog = await entries(b);
    expect(bLog.map((e) => changes(e))).toEqual([{ lockedForMembers: [false, true] }]);
    const afterA = await readLog(b.adminToken, { after: aPage.pageInfo.endCursor });
    expect(afterA.data!.viewer.team.auditLog!.edges.map((e) => e.node.id)).not.toContain(
      aPage.edges[0]!.node.id,
    );
    const NODE = 'query($id: ID!) { node(id: $id) { id } }';
    expect((await t.gql(NODE, { id: aPage.edges[0]!.node.id }, b.adminToken)).data).toEqual({ node: null });
  });
});

describe('pages', () => {
  it('pages newest first with cursors, without a gap or a repeat; filters by action', async () => {
    const team = await t.createTeam();
    const values = ['REPLIED', 'NEVER', 'ADDED_TO_CAMPAIGN', 'INTERESTED', 'REPLIED'];
    for (const addApplicationWhen of values)
      await t.gql(UPDATE_TEAM, { input: { addApplicationWhen } }, team.adminToken);
    await t.gql(RESET_MAPPINGS, {}, team.adminToken);
    const all = await entries(team);
    expect(all).toHaveLength(6);
    expect(all[0]?.action).toBe('FIELD_MAPPINGS_RESET');
    expect(all.slice(1).map((e) => changes(e).addApplicationWhen?.[1])).toEqual([...values].reverse());

    const seen: string[] = [];
    let after: string | null = null;
    const shapes: [number, boolean, boolean][] = [];
    do {
      const res = await readLog(team.adminToken, { first: 4, after });
      expect(res.errors).toBeUndefined();
      const page: LogPage = res.data!.viewer.team.auditLog!;
      expect(page.totalCount).toBe(6);
      seen.push(...page.edges.map((e) => e.node.id));
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
      shapes.push([page.edges.length, page.pageInfo.hasNextPage, page.pageInfo.hasPreviousPage]);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(shapes).toEqual([
      [4, true, false],
      [2, false, true],
    ]);
    expect(seen).toEqual(all.map((e) => e.id));

    const filtered = await readLog(team.adminToken, { actions: ['FIELD_MAPPINGS_RESET', 'API_KEY_ROTATED'] });
    expect(filtered.data!.viewer.team.auditLog).toMatchObject({
      totalCount: 1,
      edges: [{ node: { id: all[0]!.id } }],
    });
    expect((await readLog(team.adminToken, { actions: [] })).data!.viewer.team.auditLog).toMatchObject({
      totalCount: 0,
      edges: [],
    });
  });

  it('refuses a cursor it did not issue and a page size out of range with BAD_USER_INPUT', async () => {
    const team = await t.createTeam();
    for (const variables of [{ after: 'bm90LWEtY3Vyc29y' }, { first: 101 }, { first: -1 }]) {
      const res = await readLog(team.adminToken, variables);
      expect(
        res.errors?.map((e) => e.extensions?.code),
        JSON.stringify(variables),
      ).toEqual(['BAD_USER_INPUT']);
    }
  });
});

describe('secrets', () => {
  it('no audit row, log answer or server log line holds an API key or webhook secret, plain or sealed', async () => {
    const team = await t.createTeam();
    const company = seedCompany(sim);
    const second = addKey(company);
    const webhookSecrets = [
      `whsec_${randomBytes(12).toString('hex')}`,
      `whsec_${randomBytes(12).toString('hex')}`,
    ];
    const sealed: string[] = [];
    const sealedNow = async () => {
      const [row] = await t.database.db
        .select()
        .from(integrationsTable)
        .where(sql`${integrationsTable.teamId} = ${team.teamId}`);
      for (const value of [row?.apiKeySealed, row?.webhookSecretSealed]) if (value) sealed.push(value);
    };
    const logStart = t.logs.length;

    await activate(team.adminToken, company.apiKey, company.domain);
    await sealedNow();
    await t.gql(SET_SECRET, { secret: webhookSecrets[0] }, team.adminToken);
    await sealedNow();
    await activate(team.adminToken, second, company.domain);
    await t.gql(SET_SECRET, { secret: webhookSecrets[1] }, team.adminToken);
    await sealedNow();
    await t.gql(CHECK, {}, team.adminToken);
    await t.gql(DEACTIVATE, {}, team.adminToken);

    const stored = await storedRows(team.teamId);
    expect(stored.count).toBe(6);
    const answer = await readLog(team.adminToken);
    const answerText = JSON.stringify(answer.body);
    const secrets = [company.apiKey, second, ...webhookSecrets, ...new Set(sealed)];
    expect(sealed.length).toBeGreaterThanOrEqual(4);
    for (const text of [stored.text, answerText, t.logs.slice(logStart).join('')]) {
      for (const secret of secrets) expect(text).not.toContain(secret);
      // Nor any long piece of one (a prefix or the part a hint leaves out).
      for (const secret of [company.apiKey, second, ...webhookSecrets])
        expect(text).not.toContain(secret.slice(0, -4));
    }
    // The hints are there: the log does say which key and secret were in use.
    for (const secret of [company.apiKey, second, ...webhookSecrets])
      expect(answerText).toContain(hint(secret));
  });
});
