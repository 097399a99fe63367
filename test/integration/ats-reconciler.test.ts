// The reconciler alone: with every webhook dropped (or never configured), periodic re-reads still
// converge each contact on Pinpoint's state, at most once per contact per interval, and a re-read
// that finds nothing new records nothing.
import { and, eq, notInArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignContactsTable, syncJobsTable } from '../../src/db/schema.js';
import { reconcileAtsOnce } from '../../src/sync/ats-reconciler.js';
import {
  atsEvents,
  localId,
  pushedContacts,
  setupWebhookTeam,
  sleep,
  storedDeliveries,
  waitForAts,
} from '../helpers/ats.js';
import { type SyncWorld, startSyncWorld, waitForIdle } from '../helpers/sync.js';

let world: SyncWorld;
beforeAll(async () => {
  world = await startSyncWorld({ ATS_RECONCILE_TICK_MS: '100', ATS_RECONCILE_INTERVAL_MS: '1000' });
});
afterAll(async () => {
  await world?.stop();
});

describe('the ATS reconciler', () => {
  it('converges every contact on Pinpoint’s state when every webhook is dropped, without duplicate events', async () => {
    const team = await setupWebhookTeam(world);
    world.sim.store.setWebhookFaults(team.company.domain, { drop: { count: 100 } });
    const { ccs } = await pushedContacts(world, team, 3);
    const [hired, rejected, moved] = ccs as [(typeof ccs)[0], (typeof ccs)[0], (typeof ccs)[0]];
    const domain = team.company.domain;
    world.sim.store.moveApplication(domain, hired.applicationId, { name: 'Interview' });
    world.sim.store.hireApplication(domain, hired.applicationId);
    world.sim.store.rejectApplication(domain, rejected.applicationId);
    world.sim.store.moveApplication(domain, moved.applicationId, { name: 'Interview' });

    await waitForAts(world, team, hired.id, (v) => v.atsStatus?.outcome === 'HIRED');
    await waitForAts(
      world,
      team,
      rejected.id,
      (v) => v.atsStatus?.outcome === 'REJECTED' && v.outreachStopped,
    );
    await waitForAts(world, team, moved.id, (v) => v.atsStatus?.stageName === 'Interview');
    expect(world.sim.store.deliveries(domain).every((d) => d.state === 'dropped')).toBe(true);
    expect(await storedDeliveries(world, team.teamId)).toHaveLength(0);

    // Several more intervals: re-reads go on, but find nothing new to record.
    const before = await Promise.all(ccs.map((cc) => atsEvents(world, cc.id)));
    await sleep(2_500);
    await waitForIdle(world, team);
    const after = await Promise.all(ccs.map((cc) => atsEvents(world, cc.id)));
    expect(after).toEqual(before);
    expect(after[1]!.filter((e) => e.startsWith('ATS_OUTCOME'))).toHaveLength(1);
  });

  it('re-reads a contact at most once per interval, and only contacts pushed within the window', async () => {
    const team = await setupWebhookTeam(world, { webhooks: false });
    const { ccs } = await pushedContacts(world, team, 2);
    const [recent, old] = ccs as [(typeof ccs)[0], (typeof ccs)[0]];
    const db = world.t.database.db;
    await waitForAts(world, team, recent.id, (v) => v.atsStatus !== null);
    // Pushed 31 days ago and never re-read: outside the 30-day window.
    const rewind = () =>
      db
        .update(campaignContactsTable)
        .set({ pinpointSyncedAt: new Date(Date.now() - 31 * 86_400_000), atsCheckedAt: null })
        .where(eq(campaignContactsTable.id, localId(old.id)));
    await rewind();
    // The running reconciler may have queued a re-read of `old` just before (its pass locked the row,
    // so the rewind waited): that job still dates it. Once none is left, rewind again; outside the
    // window, nothing queues it any more.
    const unfinished = () =>
      db
        .select({ id: syncJobsTable.id })
        .from(syncJobsTable)
        .where(
          and(
            eq(syncJobsTable.campaignContactId, localId(old.id)),
            notInArray(syncJobsTable.status, ['DONE', 'DEAD']),
          ),
        );
    for (let i = 0; i < 100 && (await unfinished()).length > 0; i++) await sleep(50);
    await rewind();
    const checkedAt = async (id: string) =>
      (
        await db
          .select()
          .from(campaignContactsTable)
          .where(eq(campaignContactsTable.id, localId(id)))
      )[0]!.atsCheckedAt;
    // The running reconciler (interval 1 s, tick 100 ms): over 3.5 s it reads the recent contact's
    // application from Pinpoint a few times, never twice within one interval. (Each read is a little
    // after its due time, by however long the pass took to get there, hence the half-interval slack.)
    const readsOf = () =>
      world.sim.store
        .requestLog(team.company.domain)
        .filter((r) => r.method === 'GET' && r.path === `/applications/${recent.applicationId}`)
        .map((r) => Date.parse(r.at));
    const since = Date.now();
    await sleep(3_500);
    const reads = readsOf().filter((at) => at >= since);
    expect(reads.length).toBeGreaterThanOrEqual(2);
    expect(reads.length).toBeLessThanOrEqual(5);
    for (let i = 1; i < reads.length; i++) expect(reads[i]! - reads[i - 1]!).toBeGreaterThan(500);
    // A pass with a 60 s interval finds nothing due: the recent contact was read within it, the old
    // one is outside the window (never read).
    const settings = { ...world.t.config.ats, reconcileIntervalMs: 60_000 };
    expect(await reconcileAtsOnce(world.t.database, settings, [team.teamId])).toBe(0);
    expect(await checkedAt(old.id)).toBeNull();
  });
});
