// Pinpoint → us over signed webhooks, end to end: the simulator changes an application and delivers
// (with its retries and faults), the server stores the delivery, a worker re-reads Pinpoint, and
// the contact's ATS status, outreach stop and ATS events follow Pinpoint's current state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPinpointWebhook } from '../../src/pinpoint/webhooks.js';
import {
  atsEvents,
  pushedContacts,
  readAts,
  setupWebhookTeam,
  sleep,
  storedDeliveries,
  waitForAts,
} from '../helpers/ats.js';
import { type SyncWorld, startSyncWorld, waitForIdle } from '../helpers/sync.js';

let world: SyncWorld;
beforeAll(async () => {
  // The reconciler stays off here: every change below comes from a webhook.
  world = await startSyncWorld({ ATS_RECONCILE_TICK_MS: '0' });
});
afterAll(async () => {
  await world?.stop();
});

const deliveries = (domain: string) => world.sim.store.deliveries(domain);
const allSettled = (domain: string) =>
  deliveries(domain).every((d) => d.state !== 'pending' && d.state !== 'held');

async function settle(domain: string): Promise<void> {
  const deadline = Date.now() + 8_000;
  while (!allSettled(domain) && Date.now() < deadline) await sleep(20);
  expect(allSettled(domain)).toBe(true);
}

describe('a signed webhook', () => {
  it('re-reads the application and marks the contact hired, with one event and outreach stopped', async () => {
    const team = await setupWebhookTeam(world);
    const { ccs } = await pushedContacts(world, team);
    const cc = ccs[0]!;
    expect((await readAts(world, team, cc.id)).atsStatus).toBeNull();

    world.sim.store.hireApplication(team.company.domain, cc.applicationId);
    const view = await waitForAts(world, team, cc.id, (v) => v.atsStatus?.outcome === 'HIRED');

    expect(view.outreachStopped).toBe(true);
    expect(view.outreachStoppedReason).toMatch(/hired/);
    expect(view.atsStatus?.pinpointUrl).toContain(cc.applicationId);
    await waitForIdle(world, team);
    const events = await atsEvents(world, cc.id);
    expect(events.filter((e) => e.startsWith('ATS_OUTCOME'))).toHaveLength(1);
    expect(await storedDeliveries(world, team.teamId)).toHaveLength(1);
  });

  it('moves the stage and keeps outreach going while the application is active', async () => {
    const team = await setupWebhookTeam(world);
    const { ccs } = await pushedContacts(world, team);
    const cc = ccs[0]!;
    world.sim.store.moveApplication(team.company.domain, cc.applicationId, { name: 'Interview' });
    const view = await waitForAts(world, team, cc.id, (v) => v.atsStatus?.stageName === 'Interview');
    expect(view.atsStatus?.outcome).toBe('ACTIVE');
    expect(view.outreachStopped).toBe(false);
    await waitForIdle(world, team);
    expect(await atsEvents(world, cc.id)).toEqual([
      'ATS_STAGE_CHANGED: Pinpoint has the application at Interview.',
    ]);
  });
});

export { signPinpointWebhook };
