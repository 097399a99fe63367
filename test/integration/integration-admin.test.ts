// The integration use cases check the admin role themselves, so a caller other than the GraphQL layer
// (whose auth scope also checks it) cannot connect, check or disconnect Pinpoint as a member.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activatePinpoint, checkIntegration, deactivateIntegration } from '../../src/app/integrations.js';
import { authenticateToken } from '../../src/app/tokens.js';
import { createContext } from '../../src/context.js';
import { ForbiddenError, IntegrationNotConnectedError } from '../../src/errors.js';
import { type PinpointSimulator, seedCompany, startSimulator } from '../helpers/pinpoint.js';
import { TestServer } from '../helpers/server.js';

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

async function contextFor(token: string) {
  const viewer = await authenticateToken(t.database.db, token);
  if (!viewer) throw new Error('test token did not authenticate');
  return createContext({ viewer, db: t.database.db, services: t.server.services });
}

const INTEGRATION = 'query { integration(provider: PINPOINT) { status domain apiKeyHint } }';

describe('integration use cases called directly', () => {
  it('refuse a member with ForbiddenError and change nothing', async () => {
    const team = await t.createTeam();
    const company = seedCompany(sim);
    const member = await contextFor(team.memberToken);

    await expect(
      activatePinpoint(member, { apiKey: company.apiKey, domain: company.domain }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(checkIntegration(member, 'PINPOINT')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(deactivateIntegration(member, 'PINPOINT')).rejects.toBeInstanceOf(ForbiddenError);

    const after = await t.gql(INTEGRATION, {}, team.adminToken);
    expect(after.data).toEqual({ integration: { status: 'NOT_CONNECTED', domain: null, apiKeyHint: null } });
  });

  it('refuse a member even when Pinpoint is connected, leaving the connection as it was', async () => {
    const team = await t.createTeam();
    const company = seedCompany(sim);
    const admin = await contextFor(team.adminToken);
    const connected = await activatePinpoint(admin, { apiKey: company.apiKey, domain: company.domain });
    expect(connected.status).toBe('CONNECTED');

    const member = await contextFor(team.memberToken);
    await expect(deactivateIntegration(member, 'PINPOINT')).rejects.toThrow('Only team admins may do this.');
    const after = await t.gql(INTEGRATION, {}, team.adminToken);
    expect(after.data).toEqual({
      integration: { status: 'CONNECTED', domain: company.domain, apiKeyHint: connected.apiKeyHint },
    });
  });

  it('let an admin reach the use case’s own answer (not connected) rather than a role error', async () => {
    const team = await t.createTeam();
    const admin = await contextFor(team.adminToken);
    await expect(checkIntegration(admin, 'PINPOINT')).rejects.toBeInstanceOf(IntegrationNotConnectedError);
  });
});
