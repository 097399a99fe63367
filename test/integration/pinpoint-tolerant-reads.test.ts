// What the client makes of records it can only partly read, against the simulator: attribute
// names we only assumed, unreadable list items (skipped and logged), and an application's status.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPinpointClient } from '../../src/pinpoint/client.js';
import { PinpointResponseError } from '../../src/pinpoint/errors.js';
import { type PinpointSimulator, startPinpointSimulator } from '../../src/simulator/server.js';

let sim: PinpointSimulator;
let seq = 0;

beforeAll(async () => {
  sim = await startPinpointSimulator({ port: 0 });
});
afterAll(async () => {
  await sim.close();
});

function company() {
  seq += 1;
  const domain = `tolerant${seq}-${process.pid}`;
  const apiKey = `pk_tolerant_SECRET_${seq}`;
  const created = sim.store.createCompany({
    domain,
    apiKeys: [{ key: apiKey }],
    jobs: [{ title: 'Engineer' }, { title: 'Designer' }],
    customFields: [{ label: 'Company', resourceType: 'candidate' }],
  });
  const warnings: { obj: Record<string, unknown>; msg?: string }[] = [];
  const client = createPinpointClient({
    baseUrlTemplate: sim.baseUrlTemplate,
    domain,
    apiKey,
    connectTimeoutMs: 2_000,
    timeoutMs: 5_000,
    logger: {
      info: () => {},
      warn: (obj, msg) => warnings.push({ obj: obj as Record<string, unknown>, msg }),
    },
  });
  return { domain, client, created, warnings };
}

describe('lists with a record the client cannot read', () => {
  it('listJobs skips a job without a readable title, logs it without its values, and returns the rest', async () => {
    const { domain, client, warnings } = company();
    const bad = sim.store.addRawResource(domain, 'jobs', {
      // A value no id, index or random domain in the log line can contain by chance.
      title: 987_654_321,
      status: 'open',
      secret_note: 'Ada Lovelace',
    });
    const jobs = await client.listJobs();
    expect(jobs.map((j) => j.title)).toEqual(['Engineer', 'Designer']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toBe('pinpoint record skipped: unreadable');
    expect(warnings[0]!.obj).toMatchObject({ id: bad, path: expect.stringContaining('/jobs') });
    expect(JSON.stringify(warnings)).not.toContain('987654321');
    expect(JSON.stringify(warnings)).not.toContain('Ada');
  });

  it('listJobs skips a record that is not even a resource (no id)', async () => {
    const { domain, client, warnings } = company();
    // An empty id fails the resource schema itself, before any attribute is read.
    sim.store.addRawResource(domain, 'jobs', { title: 'Ghost' });
    sim.store.company(domain)!.rawResources.jobs[0]!.id = '';
    expect((await client.listJobs()).map((j) => j.title)).toEqual(['Engineer', 'Designer']);
    expect(warnings[0]!.obj).toMatchObject({ id: null, index: 2 });
  });

  it('listCustomFields reads assumed alternatives and skips a field whose record type is unknown', async () => {
    const { domain, client, warnings } = company();
    const renamed = sim.store.addRawResource(domain, 'custom_fields', {
      name: 'Location',
      resource_type: 'candidate',
    });
    const unreadable = sim.store.addRawResource(domain, 'custom_fields', {
      label: 'Orphan',
      field_type: 'varchar',
    });
    const fields = await client.listCustomFields();
    expect(fields.map((f) => f.label)).toEqual(['Company', 'Location']);
    expect(fields[1]).toEqual({
      id: renamed,
      label: 'Location',
      fieldType: 'varchar',
      resourceType: 'candidate',
    });
    expect(warnings.map((w) => w.obj.id)).toEqual([unreadable]);
    expect(JSON.stringify(warnings[0]!.obj.issues)).toContain('resource_type');
  });

  it('a list of only unreadable records is empty, not an error', async () => {
    const { domain, client } = company();
    sim.store.company(domain)!.customFields.length = 0;
    sim.store.addRawResource(domain, 'custom_fields', { label: null });
    await expect(client.listCustomFields()).resolves.toEqual([]);
  });

  it('getJob still fails clearly on the one record it was asked for', async () => {
    const { domain, client } = company();
    sim.store.listJobs(domain)[0]!.title = undefined as unknown as string;
    await expect(client.getJob(sim.store.listJobs(domain)[0]!.id)).rejects.toBeInstanceOf(
      PinpointResponseError,
    );
  });
});

describe('getApplication', () => {
  it('reads the current stage with its name, the job, the outcome and an admin URL', async () => {
    const { domain, client, created } = company();
    const job = created.jobs[0]!;
    const application = await client.createApplication({
      jobId: job.id,
      attributes: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' },
      skipNotificationsOnCreate: true,
    });
    expect(await client.getApplication(application.id)).toMatchObject({
      jobId: job.id,
      stage: { id: job.stages[0]!.id, name: 'Applied' },
      outcome: 'active',
      email: 'ada@example.com',
      pinpointUrl: `${client.baseUrl}/admin/applications/${application.id}`,
    });

    sim.store.moveApplication(domain, application.id, { name: 'Offer' });
    const offered = await client.getApplication(application.id);
    expect(offered).toMatchObject({ stage: { name: 'Offer' }, outcome: 'active' });

    sim.store.hireApplication(domain, application.id);
    const hired = await client.getApplication(application.id);
    expect(hired).toMatchObject({ stage: { name: 'Hired' }, outcome: 'hired' });
    expect(Date.parse(hired.updatedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(offered.updatedAt ?? ''));
  });
});
