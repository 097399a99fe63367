// The Pinpoint client against the simulator over real HTTP: operations, pagination, and every
// failure mapped to its typed error (with the API key never leaking into a message or a log).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPinpointClient,
  type PinpointClient,
  type PinpointClientOptions,
} from '../../src/pinpoint/client.js';
import {
  PinpointBadRequestError,
  type PinpointError,
  PinpointForbiddenError,
  PinpointInvalidKeyError,
  PinpointListTooLongError,
  PinpointNetworkError,
  PinpointNotFoundError,
  PinpointRateLimitedError,
  PinpointResponseError,
  PinpointServerError,
  PinpointValidationError,
} from '../../src/pinpoint/errors.js';
import { type PinpointSimulator, startPinpointSimulator } from '../../src/simulator/server.js';
import type { CreateCompanyInput, Permission } from '../../src/simulator/store.js';

let sim: PinpointSimulator;
let companySeq = 0;
const KEY_PREFIX = 'pk_live_SECRET';
const raised: unknown[] = [];
const logLines: string[] = [];
const logger = {
  info: (obj: object, msg?: string) => logLines.push(JSON.stringify(obj) + (msg ?? '')),
  warn: (obj: object, msg?: string) => logLines.push(JSON.stringify(obj) + (msg ?? '')),
};

beforeAll(async () => {
  sim = await startPinpointSimulator({ port: 0 });
});

afterAll(async () => {
  await sim.close();
});

/** A fresh company per test, so tests never see each other's data. */
function company(input: Partial<CreateCompanyInput> & { permissions?: Permission[] } = {}) {
  companySeq += 1;
  const domain = `co${companySeq}-${process.pid}`;
  const apiKey = `${KEY_PREFIX}_${companySeq}_${Math.random().toString(36).slice(2)}`;
  const created = sim.store.createCompany({
    domain,
    apiKeys: [{ key: apiKey, permissions: input.permissions }],
    jobs: input.jobs ?? [
      { title: 'Engineer' },
      { title: 'Support', requiredFields: ['phone', 'phone_iso2'] },
    ],
    customFields: input.customFields ?? [
      { label: 'Company', resourceType: 'candidate' },
      { label: 'Location', resourceType: 'candidate' },
      { label: 'Campaign', resourceType: 'application' },
    ],
    paginationLinks: input.paginationLinks,
  });
  const client = clientFor(domain, apiKey);
  return { ...created, apiKey, client };
}

function clientFor(
  domain: string,
  apiKey: string,
  overrides: Partial<PinpointClientOptions> = {},
): PinpointClient {
  return createPinpointClient({
    baseUrlTemplate: sim.baseUrlTemplate,
    domain,
    apiKey,
    connectTimeoutMs: 1_000,
    timeoutMs: 2_000,
    logger,
    ...overrides,
  });
}

/** Awaits a rejection of the given class and records it for the key-leak check. */
async function failure<T extends PinpointError>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => T,
): Promise<T> {
  const error = await promise.then(
    () => {
      throw new Error(`expected ${type.name}, but the call succeeded`);
    },
    (e: unknown) => e,
  );
  raised.push(error);
  expect(error).toBeInstanceOf(type);
  return error as T;
}

const ada = { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' };

describe('Pinpoint client operations', () => {
  it('verify resolves for a working key and domain with one request for a single job', async () => {
    const { client, domain } = company();
    await expect(client.verify()).resolves.toBeUndefined();
    const [entry] = sim.store.requestLog(domain);
    expect(entry).toMatchObject({ method: 'GET', path: '/jobs', status: 200 });
    expect(entry?.query['page[size]']).toBe('1');
  });

  it('listJobs returns every job with its stages in order, across several pages via links.next', async () => {
    const jobs = Array.from({ length: 7 }, (_, i) => ({
      title: `Job ${i + 1}`,
      status: i === 6 ? ('closed' as const) : undefined,
    }));
    const { client, domain, jobIds } = company({ jobs });
    const listed = await client.listJobs({ pageSize: 3 });
    expect(listed.map((j) => j.id)).toEqual(jobIds);
    expect(listed[0]?.stages.map((s) => s.name)).toEqual([
      'Applied',
      'Screening',
      'Interview',
      'Offer',
      'Hired',
    ]);
    expect(listed[6]?.status).toBe('closed');
    expect(sim.store.requestLog(domain).filter((r) => r.path === '/jobs')).toHaveLength(3);
  });

  it('listJobs stops on a short page when the server sends no links.next', async () => {
    const jobs = Array.from({ length: 5 }, (_, i) => ({ title: `Job ${i + 1}` }));
    const { client, domain } = company({ jobs, paginationLinks: false });
    expect(await client.listJobs({ pageSize: 2 })).toHaveLength(5);
    expect(sim.store.requestLog(domain).map((r) => r.query['page[number]'])).toEqual(['1', '2', '3']);
  });

  it('listJobs honours maxPages', async () => {
    const jobs = Array.from({ length: 5 }, (_, i) => ({ title: `Job ${i + 1}` }));
    const { client } = company({ jobs });
    expect(await client.listJobs({ pageSize: 2, maxPages: 2 })).toHaveLength(4);
  });

  it('getJob returns one job with its stages', async () => {
    const { client, jobs } = company();
    const job = await client.getJob(jobs[0]!.id);
    expect(job).toMatchObject({ id: jobs[0]!.id, title: 'Engineer', status: 'open' });
    expect(job.stages.map((s) => s.id)).toEqual(jobs[0]!.stages.map((s) => s.id));
  });

  it('listCustomFields returns label, field type and resource type for each field', async () => {
    const { client, customFieldIds } = company();
    expect(await client.listCustomFields()).toEqual([
      { id: customFieldIds[0], label: 'Company', fieldType: 'varchar', resourceType: 'candidate' },
      { id: customFieldIds[1], label: 'Location', fieldType: 'varchar', resourceType: 'candidate' },
      { id: customFieldIds[2], label: 'Campaign', fieldType: 'varchar', resourceType: 'application' },
    ]);
  });

  it('findCandidatesByEmail keeps only case-insensitive exact matches of what the filter returns', async () => {
    const { client, domain } = company();
    const adaId = sim.store.addCandidate(domain, { ...ada, email: 'Ada@Example.com' });
    sim.store.addCandidate(domain, { firstName: 'Nada', lastName: 'X', email: 'nada@example.com' });
    const found = await client.findCandidatesByEmail(' ADA@example.COM ');
    expect(found.map((c) => c.id)).toEqual([adaId]);
    expect(found[0]).toMatchObject({ firstName: 'Ada', email: 'Ada@Example.com' });
    expect(await client.findCandidatesByEmail('nobody@example.com')).toEqual([]);
  });

  it('findCandidatesByEmail returns every duplicate profile so the caller can see the ambiguity', async () => {
    const { client, domain } = company();
    sim.store.addCandidate(domain, ada);
    sim.store.addCandidate(domain, { ...ada, email: 'ADA@example.com' }, { allowDuplicate: true });
    expect(await client.findCandidatesByEmail('ada@example.com')).toHaveLength(2);
  });

  it('updateCandidate side-posts new custom attributes, then updates one in place', async () => {
    const { client, domain, customFieldIds } = company();
    const id = sim.store.addCandidate(domain, ada);
    const [companyField, locationField] = customFieldIds;

    const created = await client.updateCandidate(id, {
      attributes: { phone: '+44 20 7946 0000' },
      customAttributes: [
        { customFieldId: companyField!, value: 'Analytical Engines Ltd' },
        { customFieldId: locationField!, value: 'London' },
      ],
    });
    expect(created.phone).toBe('+44 20 7946 0000');
    expect(created.customAttributes.map((c) => [c.customFieldId, c.value])).toEqual([
      [companyField, 'Analytical Engines Ltd'],
      [locationField, 'London'],
    ]);
    const put = sim.store.requestLog(domain).at(-1)?.body;
    expect(put).toEqual({
      data: {
        id,
        type: 'candidates',
        attributes: { phone: '+44 20 7946 0000' },
        relationships: {
          custom_attributes: {
            data: [
              { type: 'custom_attributes', 'temp-id': 't1', method: 'create' },
              { type: 'custom_attributes', 'temp-id': 't2', method: 'create' },
            ],
          },
        },
      },
      included: [
        {
          type: 'custom_attributes',
          'temp-id': 't1',
          attributes: { varchar_value: 'Analytical Engines Ltd' },
          relationships: { custom_field: { data: { type: 'custom_fields', id: companyField } } },
        },
        {
          type: 'custom_attributes',
          'temp-id': 't2',
          attributes: { varchar_value: 'London' },
          relationships: { custom_field: { data: { type: 'custom_fields', id: locationField } } },
        },
      ],
    });

    const existing = created.customAttributes[1]!;
    const updated = await client.updateCandidate(id, {
      customAttributes: [{ customFieldId: locationField!, value: 'Paris', existingAttributeId: existing.id }],
    });
    expect(updated.customAttributes.find((c) => c.id === existing.id)?.value).toBe('Paris');
    const fetched = await client.getCandidate(id);
    expect(fetched.customAttributes).toEqual([
      { id: created.customAttributes[0]!.id, customFieldId: companyField, value: 'Analytical Engines Ltd' },
      { id: existing.id, customFieldId: locationField, value: 'Paris' },
    ]);
  });

  it('createApplication creates candidate and application in the Applied stage with tags and no notifications', async () => {
    const { client, domain, jobs } = company();
    const job = jobs[0]!;
    const application = await client.createApplication({
      jobId: job.id,
      attributes: { ...ada, linkedinUrl: 'https://linkedin.com/in/ada' },
      skipNotificationsOnCreate: true,
      tags: [{ tag: 'Sourced by outreach', context: 'campaign 7' }],
    });
    expect(application).toMatchObject({
      jobId: job.id,
      stageId: job.stages[0]!.id,
      email: 'ada@example.com',
      linkedinUrl: 'https://linkedin.com/in/ada',
      tags: ['Sourced by outreach'],
    });
    expect(application.candidateId).toBe(sim.store.listCandidates(domain)[0]?.id);
    expect(sim.store.listApplications(domain)[0]).toMatchObject({
      skipNotificationsOnCreate: true,
      tags: [{ tag: 'Sourced by outreach', context: 'campaign 7' }],
    });
  });

  it('createApplication attaches to the existing candidate with that email and honours the stage', async () => {
    const { client, domain, jobs } = company();
    const candidateId = sim.store.addCandidate(domain, ada);
    const interview = jobs[0]!.stages[2]!;
    const application = await client.createApplication({
      jobId: jobs[0]!.id,
      stageId: interview.id,
      attributes: { ...ada, email: 'ADA@example.com' },
      skipNotificationsOnCreate: true,
    });
    expect(application).toMatchObject({ candidateId, stageId: interview.id });
    expect(sim.store.listCandidates(domain)).toHaveLength(1);
  });

  it('updateApplication moves the stage, changes attributes and adds tags', async () => {
    const { client, jobs } = company();
    const created = await client.createApplication({
      jobId: jobs[0]!.id,
      attributes: ada,
      skipNotificationsOnCreate: true,
    });
    const offer = jobs[0]!.stages[3]!;
    const updated = await client.updateApplication(created.id, {
      attributes: { phone: '+1 555 0100' },
      stageId: offer.id,
      addTags: [{ tag: 'Sourced by outreach', context: 'ctx' }],
    });
    expect(updated).toMatchObject({
      id: created.id,
      stageId: offer.id,
      phone: '+1 555 0100',
      tags: ['Sourced by outreach'],
    });
    // Only getApplication side-loads the stage, so only it knows the stage's name.
    expect(updated.stage).toEqual({ id: offer.id, name: null });
    expect(await client.getApplication(created.id)).toEqual({
      ...updated,
      stage: { id: offer.id, name: 'Offer' },
    });
  });

  it('listApplicationsForJob returns only that job applications, with candidate ids and emails', async () => {
    const { client, jobs } = company();
    const [engineer, support] = jobs;
    for (let i = 0; i < 3; i++) {
      await client.createApplication({
        jobId: engineer!.id,
        attributes: { firstName: 'P', lastName: `${i}`, email: `p${i}@example.com` },
        skipNotificationsOnCreate: true,
      });
    }
    await client.createApplication({
      jobId: support!.id,
      attributes: { ...ada, phone: '+44 1', phoneIso2: 'GB' },
      skipNotificationsOnCreate: true,
    });
    const listed = await client.listApplicationsForJob(engineer!.id);
    expect(listed.map((a) => a.email)).toEqual(['p0@example.com', 'p1@example.com', 'p2@example.com']);
    expect(listed.every((a) => a.candidateId !== null && a.jobId === engineer!.id)).toBe(true);
  });

  it('createComment writes a note on an application or a candidate', async () => {
    const { client, domain, jobs } = company();
    const application = await client.createApplication({
      jobId: jobs[0]!.id,
      attributes: ada,
      skipNotificationsOnCreate: true,
    });
    const onApplication = await client.createComment({
      commentable: { type: 'applications', id: application.id },
      bodyText: 'Email sent by Jane Doe — Subject: Hello',
    });
    expect(onApplication).toMatchObject({
      bodyText: 'Email sent by Jane Doe — Subject: Hello',
      commentable: { type: 'applications', id: application.id },
    });
    await client.createComment({
      commentable: { type: 'candidates', id: application.candidateId! },
      bodyText: 'Call logged',
    });
    expect(sim.store.listComments(domain).map((c) => c.commentable.type)).toEqual([
      'applications',
      'candidates',
    ]);
  });

  it('sends X-API-KEY, the JSON:API media type and no body on reads', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'Content-Type': 'application/vnd.api+json' }).end('{"data":[]}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      await clientFor('acme', 'k-123', { baseUrlTemplate: `http://127.0.0.1:${port}/{domain}` }).verify();
    } finally {
      server.close();
    }
    expect(seen[0]).toMatchObject({ 'x-api-key': 'k-123', accept: 'application/vnd.api+json' });
    expect(seen[0]?.['content-type']).toBeUndefined();
  });
});

describe('Pinpoint client failures', () => {
  it('a wrong API key raises PinpointInvalidKeyError (401)', async () => {
    const { domain, apiKey } = company();
    const error = await failure(clientFor(domain, `${apiKey}-wrong`).verify(), PinpointInvalidKeyError);
    expect(error).toMatchObject({ kind: 'INVALID_KEY', status: 401, outcomeUnknown: false });
    expect(error.message).toMatch(/rejected the API key/);
  });

  it('a key without jobs:read raises PinpointForbiddenError (403)', async () => {
    const { client } = company({ permissions: ['candidates:read'] });
    const error = await failure(client.verify(), PinpointForbiddenError);
    expect(error).toMatchObject({ kind: 'FORBIDDEN', status: 403 });
  });

  it('an unknown company domain raises PinpointNotFoundError (404)', async () => {
    const error = await failure(
      clientFor('no-such-company', `${KEY_PREFIX}_x`).verify(),
      PinpointNotFoundError,
    );
    expect(error.status).toBe(404);
  });

  it('a missing record raises PinpointNotFoundError', async () => {
    const { client } = company();
    await failure(client.getCandidate('999999'), PinpointNotFoundError);
  });

  it('a job that requires a phone raises PinpointValidationError naming phone and phone_iso2', async () => {
    const { client, domain, jobs } = company();
    const error = await failure(
      client.createApplication({ jobId: jobs[1]!.id, attributes: ada, skipNotificationsOnCreate: true }),
      PinpointValidationError,
    );
    expect(error.fields.map((f) => f.field)).toEqual(['phone', 'phone_iso2']);
    expect(error.fields[0]?.message).toBe("can't be blank");
    expect(error.message).toContain('phone');
    expect(error.outcomeUnknown).toBe(false);
    expect(sim.store.listApplications(domain)).toHaveLength(0);
  });

  it('429 with Retry-After in seconds raises PinpointRateLimitedError with the wait in ms', async () => {
    const { client, domain } = company();
    sim.setFaults(domain, { rateLimit: { count: 1, retryAfterSeconds: 7 } });
    const error = await failure(client.listJobs(), PinpointRateLimitedError);
    expect(error.retryAfterMs).toBe(7_000);
    await expect(client.listJobs()).resolves.toHaveLength(2);
  });

  it('429 with Retry-After as an HTTP date raises PinpointRateLimitedError with the time left', async () => {
    const { client, domain } = company();
    const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 30_000).toUTCString();
    sim.setFaults(domain, { rateLimit: { count: 1, retryAfterDate: at } });
    const error = await failure(client.verify(), PinpointRateLimitedError);
    expect(error.retryAfterMs).toBeGreaterThan(25_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(31_000);
  });

  it('429 without Retry-After leaves retryAfterMs null', async () => {
    const { client, domain } = company();
    sim.setFaults(domain, { rateLimit: { count: 1 } });
    expect((await failure(client.verify(), PinpointRateLimitedError)).retryAfterMs).toBeNull();
  });

  it('500 raises PinpointServerError; on a write the outcome is unknown', async () => {
    const { client, domain, jobs } = company();
    sim.setFaults(domain, { serverErrors: { count: 2, status: 503 } });
    const read = await failure(client.verify(), PinpointServerError);
    expect(read).toMatchObject({ status: 503, outcomeUnknown: false });
    const write = await failure(
      client.createApplication({ jobId: jobs[0]!.id, attributes: ada, skipNotificationsOnCreate: true }),
      PinpointServerError,
    );
    expect(write.outcomeUnknown).toBe(true);
  });

  it('a malformed request raises PinpointBadRequestError (400)', async () => {
    const { client, jobs } = company();
    const created = await client.createApplication({
      jobId: jobs[0]!.id,
      attributes: ada,
      skipNotificationsOnCreate: true,
    });
    // The simulator, like Pinpoint, refuses attributes that cannot be written on update.
    const error = await failure(
      client.updateApplication(created.id, { attributes: { summary: 'x' } as never }),
      PinpointBadRequestError,
    );
    expect(error.status).toBe(400);
  });

  it('latency beyond the timeout raises a timed-out PinpointNetworkError', async () => {
    const { domain, apiKey } = company();
    sim.setFaults(domain, { latencyMs: 600 });
    const client = clientFor(domain, apiKey, { timeoutMs: 200 });
    const started = Date.now();
    const error = await failure(client.verify(), PinpointNetworkError);
    expect(Date.now() - started).toBeLessThan(550);
    expect(error).toMatchObject({
      timedOut: true,
      dnsFailure: false,
      outcomeUnknown: false,
      code: 'TIMEOUT',
    });
    sim.clearFaults(domain);
  });

  it('a write that times out after being sent has an unknown outcome', async () => {
    const { domain, apiKey } = company();
    sim.setFaults(domain, { hang: { count: 1 } });
    const client = clientFor(domain, apiKey, { timeoutMs: 200 });
    const error = await failure(
      client.createComment({ commentable: { type: 'candidates', id: '1' }, bodyText: 'x' }),
      PinpointNetworkError,
    );
    expect(error).toMatchObject({ timedOut: true, outcomeUnknown: true });
  });

  it('a connection dropped after the write raises outcomeUnknown, and the write was applied', async () => {
    const { client, domain, jobs } = company();
    sim.setFaults(domain, { dropAfterWrite: { count: 1 } });
    const error = await failure(
      client.createApplication({ jobId: jobs[0]!.id, attributes: ada, skipNotificationsOnCreate: true }),
      PinpointNetworkError,
    );
    expect(error).toMatchObject({ outcomeUnknown: true, timedOut: false });
    expect(sim.store.listApplications(domain)).toHaveLength(1);
    // What a caller must do next: look the person up before any retry.
    expect(await client.findCandidatesByEmail(ada.email)).toHaveLength(1);
  });

  it('a refused connection raises PinpointNetworkError that is not outcomeUnknown, even for a write', async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const client = clientFor('acme', `${KEY_PREFIX}_refused`, {
      baseUrlTemplate: `http://127.0.0.1:${port}/{domain}`,
    });
    const error = await failure(
      client.createApplication({ jobId: '1', attributes: ada, skipNotificationsOnCreate: true }),
      PinpointNetworkError,
    );
    expect(error).toMatchObject({
      code: 'ECONNREFUSED',
      outcomeUnknown: false,
      timedOut: false,
      dnsFailure: false,
    });
  });

  it('a domain that does not resolve raises a PinpointNetworkError with dnsFailure', async () => {
    const client = clientFor('acme', `${KEY_PREFIX}_dns`, {
      baseUrlTemplate: 'http://{domain}.invalid',
      timeoutMs: 5_000,
      connectTimeoutMs: 5_000,
    });
    const error = await failure(client.verify(), PinpointNetworkError);
    expect(error.dnsFailure || error.timedOut).toBe(true);
    expect(error.outcomeUnknown).toBe(false);
  });

  it('a 2xx body that does not match the schema raises PinpointResponseError', async () => {
    const unreadable = { type: 'jobs', id: '1', attributes: { status: 'open' } };
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/vnd.api+json' });
      res.end(JSON.stringify({ data: req.url?.includes('/applications?') ? [{ id: 2 }] : unreadable }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const client = clientFor('acme', `${KEY_PREFIX}_shape`, {
        baseUrlTemplate: `http://127.0.0.1:${port}/{domain}`,
      });
      const error = await failure(client.getJob('1'), PinpointResponseError);
      expect(error.issues.join()).toContain('title');
      // Lists that decide what exists never skip a record they cannot read.
      const listError = await failure(client.listApplicationsForJob('1'), PinpointResponseError);
      expect(listError.issues.join()).toContain('type');
    } finally {
      server.close();
    }
  });

  it('an error body that is not JSON:API falls back to its truncated text, and echoed keys are scrubbed', async () => {
    const apiKey = `${KEY_PREFIX}_echo`;
    const server = http.createServer((_req, res) => {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end(`bad request for key ${apiKey} ${'x'.repeat(1000)}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const client = clientFor('acme', apiKey, { baseUrlTemplate: `http://127.0.0.1:${port}/{domain}` });
      const error = await failure(client.verify(), PinpointBadRequestError);
      expect(error.message).toContain('bad request for key [redacted]');
      expect(error.message.length).toBeLessThan(600);
    } finally {
      server.close();
    }
  });

  it('createPinpointClient refuses a domain that is not a Pinpoint subdomain', () => {
    expect(() => clientFor('evil.com', 'k')).toThrow(TypeError);
  });

  it('no error message, error field or log line raised in this suite contains the API key', () => {
    expect(raised.length).toBeGreaterThanOrEqual(15);
    for (const error of raised) {
      const text = `${String(error)} ${(error as Error).stack ?? ''} ${JSON.stringify(error)}`;
      expect(text).not.toContain(KEY_PREFIX);
    }
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) expect(line).not.toContain(KEY_PREFIX);
  });
});

describe('cancellation', () => {
  it('aborting the client’s signal tears down a request in flight and fails it at once', async () => {
    const c = company();
    sim.setFaults(c.domain, { latencyMs: 1_500 });
    const controller = new AbortController();
    const client = clientFor(c.domain, c.apiKey, { signal: controller.signal });
    const started = performance.now();
    const pending = client.listJobs().catch((error: unknown) => error);
    setTimeout(() => controller.abort(), 50);
    const error = await pending;
    raised.push(error);
    expect(error).toBeInstanceOf(PinpointNetworkError);
    expect((error as PinpointNetworkError).code).toBe('ABORTED');
    expect(performance.now() - started).toBeLessThan(1_000);
    await expect(client.listJobs()).rejects.toBeInstanceOf(PinpointNetworkError); // nothing starts after the abort
    sim.clearFaults(c.domain);
  });
});

describe('lists that must be read whole', () => {
  it('listApplicationsForJob with complete: true refuses to answer part of a longer list', async () => {
    const c = company();
    const jobId = c.jobIds[0]!;
    for (let i = 0; i < 100; i++) {
      await c.client.createApplication({
        jobId,
        attributes: { firstName: 'A', lastName: `N${i}`, email: `n${i}@example.com` },
        skipNotificationsOnCreate: true,
      });
    }
    // 100 is a full page, so a second page may exist: with one page allowed, the list is not known whole.
    expect(await c.client.listApplicationsForJob(jobId, { maxPages: 1 })).toHaveLength(100);
    const error = await c.client
      .listApplicationsForJob(jobId, { maxPages: 1, complete: true })
      .catch((e: unknown) => e);
    raised.push(error);
    expect(error).toBeInstanceOf(PinpointListTooLongError);
    expect(await c.client.listApplicationsForJob(jobId, { complete: true })).toHaveLength(100);
  });
});
