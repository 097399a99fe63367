// The simulator's webhooks against a real local HTTP receiver: signed deliveries for stage moves,
// hires, rejections and withdrawals, Pinpoint's retry rules, the delivery faults, and shutdown.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  WEBHOOK_DELIVERY_ID_HEADER,
  WEBHOOK_EVENTS,
  WEBHOOK_SIGNATURE_HEADER,
} from '../../src/pinpoint/api-assumptions.js';
import { createPinpointClient, type PinpointClient } from '../../src/pinpoint/client.js';
import { parsePinpointWebhook, verifyPinpointWebhook } from '../../src/pinpoint/webhooks.js';
import { type PinpointSimulator, startPinpointSimulator } from '../../src/simulator/server.js';
import {
  type ReceivedRequest,
  sleep,
  startWebhookReceiver,
  type WebhookReceiver,
  waitUntil,
} from '../helpers/webhook-receiver.js';

const SECRET = 'whsec_simulator_test';
let sim: PinpointSimulator;
let receiver: WebhookReceiver;
let seq = 0;

beforeAll(async () => {
  sim = await startPinpointSimulator({ port: 0 });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  receiver = await startWebhookReceiver();
});
afterEach(async () => {
  await receiver.close();
});

const header = (r: ReceivedRequest, name: string) => r.headers[name.toLowerCase()] as string | undefined;
const events = () => receiver.received.map((r) => parsePinpointWebhook(r.body)?.event);

/** A company with one job, its webhook pointed at the receiver, and `count` applications. */
async function company(
  webhook: {
    timeoutMs?: number;
    maxAttempts?: number;
    backoffBaseMs?: number;
    sendDeliveryId?: boolean;
  } = {},
  count = 1,
  target: PinpointSimulator = sim,
) {
  seq += 1;
  const domain = `hooks${seq}-${process.pid}`;
  const apiKey = `key_${seq}`;
  const created = target.store.createCompany({
    domain,
    apiKeys: [{ key: apiKey }],
    jobs: [{ title: 'Engineer' }],
  });
  const job = created.jobs[0]!;
  const client: PinpointClient = createPinpointClient({
    baseUrlTemplate: target.baseUrlTemplate,
    domain,
    apiKey,
    connectTimeoutMs: 2_000,
    timeoutMs: 5_000,
  });
  const applicationIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const application = await client.createApplication({
      jobId: job.id,
      attributes: { firstName: 'Ada', lastName: `L${i}`, email: `ada${i}@example.com` },
      skipNotificationsOnCreate: true,
    });
    applicationIds.push(application.id);
  }
  target.store.configureWebhook(domain, { url: receiver.url, secret: SECRET, backoffBaseMs: 20, ...webhook });
  return { domain, client, job, applicationIds, applicationId: applicationIds[0]! };
}

async function control(method: string, path: string, body?: unknown) {
  const response = await fetch(`${sim.url}/_control/${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

describe('signed deliveries', () => {
  it('sends a hire once, with the documented body, a valid signature and a delivery id', async () => {
    const { domain, applicationId } = await company();
    sim.store.hireApplication(domain, applicationId);
    await waitUntil(() => sim.store.deliveries(domain)[0]?.state === 'delivered', 5_000, 'delivery');

    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(JSON.parse(request!.body)).toEqual({
      event: 'application_hired',
      data: { application: { id: applicationId } },
    });
    expect(header(request!, 'content-type')).toBe('application/json');
    expect(verifyPinpointWebhook(SECRET, request!.body, header(request!, WEBHOOK_SIGNATURE_HEADER))).toBe(
      true,
    );
    expect(
      verifyPinpointWebhook('another secret', request!.body, header(request!, WEBHOOK_SIGNATURE_HEADER)),
    ).toBe(false);
    expect(header(request!, WEBHOOK_DELIVERY_ID_HEADER)).toBe(sim.store.deliveries(domain)[0]!.id);
  });

  it('fires stage changes, rejections and withdrawals from the control API, and the application shows them', async () => {
    const { domain, client, applicationIds } = await company({}, 2);
    const [first, second] = applicationIds as [string, string];

    const moved = await control('POST', `${domain}/applications/${first}/stage`, { stageName: 'interview' });
    expect(moved.status).toBe(200);
    expect(moved.body.application).toMatchObject({ id: first, outcome: 'active' });
    expect((await control('POST', `${domain}/applications/${first}/reject`)).status).toBe(200);
    expect((await control('POST', `${domain}/applications/${second}/withdraw`)).status).toBe(200);
    await waitUntil(() => receiver.received.length === 3, 5_000, 'three deliveries');

    expect(new Set(events())).toEqual(
      new Set([WEBHOOK_EVENTS.stageChanged, WEBHOOK_EVENTS.rejected, WEBHOOK_EVENTS.withdrawn]),
    );
    expect(await client.getApplication(first)).toMatchObject({
      stage: { name: 'Interview' },
      outcome: 'rejected',
    });
    expect((await client.getApplication(second)).outcome).toBe('withdrawn');
  });

  it('fires a stage change when the API moves an application, and none when nothing moves', async () => {
    const { domain, client, job, applicationId } = await company();
    await client.updateApplication(applicationId, { stageId: job.stages[2]!.id });
    await client.updateApplication(applicationId, { addTags: [{ tag: 'x', context: 'y' }] });
    await waitUntil(() => receiver.received.length === 1, 5_000, 'a delivery');
    await sleep(100);
    expect(events()).toEqual([WEBHOOK_EVENTS.stageChanged]);
    expect(sim.store.deliveries(domain)).toHaveLength(1);
  });

  it('refuses bad control input with 400 or 404 and changes nothing', async () => {
    const { domain, applicationId } = await company();
    expect((await control('POST', `${domain}/webhook`, { url: 'ftp://x', secret: 's' })).status).toBe(400);
    expect((await control('POST', `${domain}/webhook/faults`, { drop: { count: -1 } })).status).toBe(400);
    expect((await control('POST', `${domain}/applications/${applicationId}/stage`, {})).status).toBe(400);
    expect(
      (await control('POST', `${domain}/applications/${applicationId}/stage`, { stageName: 'Nope' })).status,
    ).toBe(422);
    expect((await control('POST', `${domain}/applications/999999/hire`)).status).toBe(404);
    expect(sim.store.listApplications(domain)[0]).toMatchObject({ outcome: 'active' });
    expect(sim.store.deliveries(domain)).toHaveLength(0);
  });

  it('shows the webhook and its deliveries in the control state, never the secret', async () => {
    const { domain, applicationId } = await company();
    const configured = await control('POST', `${domain}/webhook`, {
      url: receiver.url,
      secret: 'topsecret_x',
    });
    expect(configured.status).toBe(200);
    sim.store.hireApplication(domain, applicationId);
    await waitUntil(() => sim.store.deliveries(domain)[0]?.state === 'delivered', 5_000, 'delivery');
    const state = await control('GET', `${domain}/state`);
    expect(state.body.webhook.config).toMatchObject({ url: receiver.url, maxAttempts: 10, timeoutMs: 5000 });
    expect(state.body.webhook.deliveries[0]).toMatchObject({
      event: 'application_hired',
      state: 'delivered',
    });
    expect(JSON.stringify(state.body)).not.toContain('topsecret_x');
    expect(JSON.stringify(configured.body)).not.toContain('topsecret_x');
    expect(
      verifyPinpointWebhook(
        'topsecret_x',
        receiver.received[0]!.body,
        header(receiver.received[0]!, WEBHOOK_SIGNATURE_HEADER),
      ),
    ).toBe(true);
  });

  it('leaves the delivery-id header out when configured to, as Pinpoint may never send one', async () => {
    const { domain, applicationId } = await company({ sendDeliveryId: false });
    sim.store.rejectApplication(domain, applicationId);
    await waitUntil(() => receiver.received.length === 1, 5_000, 'a delivery');
    expect(header(receiver.received[0]!, WEBHOOK_DELIVERY_ID_HEADER)).toBeUndefined();
  });
});

describe('retries', () => {
  it('retries a 500 and a redirect with growing delays, then stops at the first 2xx', async () => {
    const base = 40;
    const { domain, applicationId } = await company({ backoffBaseMs: base });
    receiver.respond = (i) => ({ status: [500, 302, 503][i] ?? 204 });
    sim.store.hireApplication(domain, applicationId);
    await waitUntil(() => sim.store.deliveries(domain)[0]?.state === 'delivered', 5_000, 'delivery');
    await sleep(base * 4);

    const times = receiver.received.map((r) => r.at);
    expect(times).toHaveLength(4);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // Jitter only ever adds: each gap is at least base·2^(n−1); allow 5 ms for timer granularity.
    for (const [i, gap] of gaps.entries()) expect(gap).toBeGreaterThanOrEqual(base * 2 ** i - 5);
    expect(sim.store.deliveries(domain)[0]!.attempts.map((a) => a.status)).toEqual([500, 302, 503, 204]);
    // Every retry is the same delivery: same body, same id, still correctly signed.
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    expect(new Set(receiver.received.map((r) => header(r, WEBHOOK_DELIVERY_ID_HEADER))).size).toBe(1);
    for (const r of receiver.received) {
      expect(verifyPinpointWebhook(SECRET, r.body, header(r, WEBHOOK_SIGNATURE_HEADER))).toBe(true);
    }
  });

  it('counts an answer slower than the timeout as failed and retries it', async () => {
    const { domain, applicationId } = await company({ timeoutMs: 150 });
    receiver.respond = (i) => (i === 0 ? { status: 200, delayMs: 600 } : { status: 200 });
    sim.store.withdrawApplication(domain, applicationId);
    await waitUntil(() => sim.store.deliveries(domain)[0]?.state === 'delivered', 5_000, 'delivery');
    const [slow, fast] = sim.store.deliveries(domain)[0]!.attempts;
    expect(slow).toMatchObject({ status: null, error: 'no answer within 150 ms' });
    expect(slow!.durationMs).toBeLessThan(600);
    expect(fast).toMatchObject({ status: 200, error: null });
  });

  it('gives up after 10 tries in all', async () => {
    const { domain, applicationId } = await company({ backoffBaseMs: 2 });
    receiver.respond = () => ({ status: 500 });
    sim.store.hireApplication(domain, applicationId);
    await waitUntil(() => sim.store.deliveries(domain)[0]?.state === 'failed', 10_000, 'give-up');
    await sleep(300);
    expect(receiver.received).toHaveLength(10);
    expect(sim.store.deliveries(domain)[0]!.attempts).toHaveLength(10);
  });
});

describe('delivery faults', () => {
  it('drops the next delivery without ever sending it', async () => {
    const { domain, applicationIds } = await company({}, 2);
    sim.store.setWebhookFaults(domain, { drop: { count: 1 } });
    sim.store.hireApplication(domain, applicationIds[0]!);
    sim.store.rejectApplication(domain, applicationIds[1]!);
    await waitUntil(() => receiver.received.length === 1, 5_000, 'a delivery');
    await sleep(100);
    expect(events()).toEqual([WEBHOOK_EVENTS.rejected]);
    expect(sim.store.deliveries(domain).map((d) => d.state)).toEqual(['dropped', 'delivered']);
  });

  it('sends a duplicated delivery twice, with the same id and body', async () => {
    const { domain, applicationId } = await company();
    await control('POST', `${domain}/webhook/faults`, { duplicate: { count: 1 } });
    sim.store.hireApplication(domain, applicationId);
    await waitUntil(() => receiver.received.length === 2, 5_000, 'two deliveries');
    const [a, b] = receiver.received as [ReceivedRequest, ReceivedRequest];
    expect(a.body).toBe(b.body);
    expect(header(a, WEBHOOK_DELIVERY_ID_HEADER)).toBe(header(b, WEBHOOK_DELIVERY_ID_HEADER));
    expect(verifyPinpointWebhook(SECRET, b.body, header(b, WEBHOOK_SIGNATURE_HEADER))).toBe(true);
    expect(sim.store.deliveries(domain).map((d) => d.copy)).toEqual([1, 2]);
  });

  it('holds deliveries and sends them newest first, when the count is reached or on release', async () => {
    const { domain, applicationId, applicationIds } = await company({}, 2);
    sim.store.setWebhookFaults(domain, { outOfOrder: { count: 3 } });
    sim.store.moveApplication(domain, applicationId, { name: 'Screening' });
    sim.store.moveApplication(domain, applicationId, { name: 'Interview' });
    await sleep(100);
    expect(receiver.received).toHaveLength(0);
    sim.store.hireApplication(domain, applicationId);
    await waitUntil(() => receiver.received.length === 3, 5_000, 'three deliveries');
    // Released newest first, each after the previous one's answer, so arrival order is send order.
    expect(events()).toEqual([
      WEBHOOK_EVENTS.hired,
      WEBHOOK_EVENTS.stageChanged,
      WEBHOOK_EVENTS.stageChanged,
    ]);

    sim.store.setWebhookFaults(domain, { outOfOrder: { count: 5 } });
    sim.store.rejectApplication(domain, applicationIds[1]!);
    sim.store.withdrawApplication(domain, applicationIds[1]!);
    const released = await control('POST', `${domain}/webhook/release`);
    expect(released.body).toEqual({ released: 2 });
    await waitUntil(() => receiver.received.length === 5, 5_000, 'released deliveries');
    expect(events().slice(3)).toEqual([WEBHOOK_EVENTS.withdrawn, WEBHOOK_EVENTS.rejected]);
  });
});

describe('closing the simulator', () => {
  it('cancels pending retries and requests in flight, and nothing is sent afterwards', async () => {
    const own = await startPinpointSimulator({ port: 0 });
    const { domain, applicationIds } = await company({ backoffBaseMs: 1_000 }, 2, own);
    receiver.respond = (i) => (i === 0 ? { status: 500 } : { status: 200, delayMs: 5_000 });
    own.store.hireApplication(domain, applicationIds[0]!);
    await waitUntil(() => receiver.received.length === 1, 5_000, 'the first try');
    own.store.rejectApplication(domain, applicationIds[1]!);
    await waitUntil(() => receiver.received.length === 2, 5_000, 'the slow delivery');

    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    await sleep(400);
    expect(receiver.received).toHaveLength(2);
    expect(own.store.deliveries(domain).map((d) => d.state)).toEqual(['cancelled', 'cancelled']);
    // Events after close send nothing.
    own.store.withdrawApplication(domain, applicationIds[1]!);
    await sleep(50);
    expect(receiver.received).toHaveLength(2);
  });
});
