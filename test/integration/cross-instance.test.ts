import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVATE, type PinpointSimulator, seedCompany, startSimulator } from '../helpers/pinpoint.js';
import { openTestDatabase, TestServer, usingPostgres } from '../helpers/server.js';
import { record, wsClient } from '../helpers/subscriptions.js';

let sim: PinpointSimulator;
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  sim = await startSimulator();
  const env = { PINPOINT_BASE_URL: sim.baseUrlTemplate };
  a = await TestServer.start({ env });
  // On PostgreSQL the second instance has its own connection pool, as a second process would;
  // on PGlite both share the one embedded database and each has its own LISTEN.
  b = await TestServer.start({ env, database: usingPostgres ? await openTestDatabase() : a.database });
});
afterAll(async () => {
  await b?.stop();
  if (usingPostgres) await b?.database.close();
  await a?.stop();
  await sim?.close();
});

describe(`two server instances on one ${usingPostgres ? 'PostgreSQL' : 'PGlite'} database`, () => {
  it('a subscriber on one instance sees an activation made on the other', async () => {
    const team = await a.createTeam();
    const company = seedCompany(sim);
    const client = wsClient(a.wsUrl, team.memberToken);
    type Msg = { integrationStatusChanged: { status: string } };
    const sub = record<Msg>(
      client,
      'subscription { integrationStatusChanged(provider: PINPOINT) { status } }',
    );
    try {
      await sub.waitFor((v) => v.length === 1);
      const res = await b.gql<{ activatePinpoint: { __typename: string } }>(
        ACTIVATE,
        { input: { apiKey: company.apiKey, domain: company.domain } },
        team.adminToken,
      );
      expect(res.data?.activatePinpoint.__typename).toBe('Integration');
      const values = await sub.waitFor((v) =>
        v.some((m) => m.integrationStatusChanged.status === 'CONNECTED'),
      );
      expect(values.map((m) => m.integrationStatusChanged.status)).toEqual(['NOT_CONNECTED', 'CONNECTED']);
    } finally {
      sub.dispose();
      await client.dispose();
    }
  });
});
