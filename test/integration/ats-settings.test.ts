// The admin's webhook setup through GraphQL (secret sealed and hinted, admins only, the endpoint's
// health) and the campaign dashboard's filter by ATS outcome.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrationsTable } from '../../src/db/schema.js';
import { WEBHOOK_SIGNATURE_HEADER } from '../../src/pinpoint/api-assumptions.js';
import { signPinpointWebhook } from '../../src/pinpoint/webhooks.js';
import { pushedContacts, SET_SECRET, setupWebhookTeam, waitForAts } from '../helpers/ats.js';
import type { Loose } from '../helpers/campaigns.js';
import { type SyncWorld, startSyncWorld } from '../helpers/sync.js';

let world: SyncWorld;
beforeAll(async () => {
  world = await startSyncWorld({ ATS_RECONCILE_TICK_MS: '0' });
});
afterAll(async () => {
  await world?.stop();
});

const WEBHOOK =
  '{ integration(provider: PINPOINT) { webhookUrl webhookSecretHint webhookStatus lastWebhookAt } }';

describe('setPinpointWebhookSecret', () => {
  it('stores the secret sealed, answers only a hint, refuses members, bad input and teams without Pinpoint', async () => {
    const fresh = await world.t.createTeam();
    const notConnected = await world.t.gql<Loose>(SET_SECRET, { secret: 'whsec_abcdef' }, fresh.adminToken);
    expect(notConnected.data?.setPinpointWebhookSecret.__typename).toBe('IntegrationNotConnectedError');

    const team = await setupWebhookTeam(world, { webhooks: false });
    const member = await world.t.gql<Loose>(SET_SECRET, { secret: 'whsec_member' }, team.memberToken);
    expect(member.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const blank = await world.t.gql<Loose>(SET_SECRET, { secret: '  ' }, team.adminToken);
    expect(blank.data?.setPinpointWebhookSecret).toMatchObject({
      __typename: 'ValidationError',
      fieldErrors: expect.arrayContaining([expect.objectContaining({ path: ['secret'] })]),
    });

    const secret = 'whsec_0123456789abcdefWXYZ';
    const res = await world.t.gql<Loose>(SET_SECRET, { secret }, team.adminToken);
    expect(res.data?.setPinpointWebhookSecret).toMatchObject({
      __typename: 'Integration',
      webhookSecretHint: '••••WXYZ',
      webhookStatus: 'WAITING',
      lastWebhookAt: null,
    });
    expect(res.data?.setPinpointWebhookSecret.webhookUrl).toMatch(/\/webhooks\/pinpoint\/[0-9a-f]{64}$/);
    const [row] = await world.t.database.db
      .select()
      .from(integrationsTable)
      .where(eq(integrationsTable.teamId, team.teamId));
    expect(row?.webhookSecretSealed).toMatch(/^v1:/);
    expect(row?.webhookSecretSealed).not.toContain(secret);
    expect(JSON.stringify(res.body)).not.toContain(secret);
    expect(world.t.logs.join('\n')).not.toContain(secret);
  });
});

describe('Integration.webhookStatus', () => {
  it('warns SILENT when nothing arrived for a day while contacts are linked, and is RECEIVING after a delivery', async () => {
    const team = await setupWebhookTeam(world, { webhooks: false });
    await pushedContacts(world, team);
    await world.t.database.db
      .update(integrationsTable)
      .set({ webhookSecretSetAt: new Date(Date.now() - 2 * 86_400_000) })
      .where(eq(integrationsTable.teamId, team.teamId));
    const silent = await world.t.gql<Loose>(WEBHOOK, {}, team.memberToken);
    expect(silent.data?.integration.webhookStatus).toBe('SILENT');

    const body = JSON.stringify({ event: 'application_stage_changed', data: { application: { id: 'x' } } });
    await world.t
      .http()
      .post(new URL(team.webhookUrl).pathname)
      .set(WEBHOOK_SIGNATURE_HEADER, signPinpointWebhook(team.secret, body))
      .send(body)
      .expect(200);
    const receiving = await world.t.gql<Loose>(WEBHOOK, {}, team.memberToken);
    expect(receiving.data?.integration).toMatchObject({ webhookStatus: 'RECEIVING' });
    expect(receiving.data?.integration.lastWebhookAt).not.toBeNull();
  });
});

describe('Campaign.contacts(atsOutcome)', () => {
  it('lists and counts only the contacts whose application has that outcome', async () => {
    const team = await setupWebhookTeam(world);
    const { campaignId, ccs } = await pushedContacts(world, team, 3);
    world.sim.store.hireApplication(team.company.domain, ccs[1]!.applicationId);
    await waitForAts(world, team, ccs[1]!.id, (v) => v.atsStatus?.outcome === 'HIRED');
    const query = `query($id: ID!, $o: AtsOutcome) { node(id: $id) { ... on Campaign {
      contacts(atsOutcome: $o, first: 10) { totalCount edges { node { id atsStatus { outcome } } } } } } }`;
    const hired = await world.t.gql<Loose>(query, { id: campaignId, o: 'HIRED' }, team.memberToken);
    expect(hired.data?.node.contacts.totalCount).toBe(1);
    expect(hired.data?.node.contacts.edges.map((e: Loose) => e.node.id)).toEqual([ccs[1]!.id]);
    const all = await world.t.gql<Loose>(query, { id: campaignId, o: null }, team.memberToken);
    expect(all.data?.node.contacts.totalCount).toBe(3);
    const rejected = await world.t.gql<Loose>(query, { id: campaignId, o: 'REJECTED' }, team.memberToken);
    expect(rejected.data?.node.contacts).toMatchObject({ totalCount: 0, edges: [] });
  });
});
