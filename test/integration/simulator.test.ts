// The Pinpoint simulator over raw HTTP: what it answers, what it stores, and its control endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PinpointSimulator, startPinpointSimulator } from '../../src/simulator/server.js';
import type { Permission } from '../../src/simulator/store.js';

let sim: PinpointSimulator;
let seq = 0;

beforeAll(async () => {
  sim = await startPinpointSimulator({ port: 0 });
});

afterAll(async () => {
  await sim.close();
});

function company(permissions?: Permission[]) {
  seq += 1;
  const domain = `sim${seq}`;
  const key = `key-${seq}`;
  const created = sim.store.createCompany({
    domain,
    apiKeys: [{ key, permissions }],
    jobs: [
      { title: 'Engineer' },
      { title: 'Support', requiredFields: ['phone', 'phone_iso2'] },
      { title: 'Old', status: 'closed' },
    ],
    customFields: [
      { label: 'Company', resourceType: 'candidate' },
      { label: 'Campaign', resourceType: 'application' },
    ],
  });
  return { ...created, key };
}

async function api(domain: string, key: string | null, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { Accept: 'application/vnd.api+json' };
  if (key !== null) headers['X-API-KEY'] = key;
  if (body !== undefined) headers['Content-Type'] = 'application/vnd.api+json';
  const res = await fetch(`${sim.url}/${domain}/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: test reads arbitrary JSON:API documents
  return { status: res.status, headers: res.headers, json: (text ? JSON.parse(text) : null) as any };
}

const application = (jobId: string, attributes: Record<string, unknown>, stageId?: string) => ({
  data: {
    type: 'applications',
    attributes: { first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com', ...attributes },
    relationships: {
      job: { data: { type: 'jobs', id: jobId } },
      ...(stageId ? { stage: { data: { type: 'stages', id: stageId } } } : {}),
    },
  },
});

describe('Pinpoint simulator', () => {
  it('answers 401 without a key or with a wrong one', async () => {
    const { domain } = company();
    expect((await api(domain, null, 'GET', '/jobs')).status).toBe(401);
    const wrong = await api(domain, 'nope', 'GET', '/jobs');
    expect(wrong.status).toBe(401);
    expect(wrong.json.errors[0].status).toBe('401');
  });

  it('answers 404 for a domain that is no company', async () => {
    expect((await api('nobody-here', 'x', 'GET', '/jobs')).status).toBe(404);
  });

  it('answers 403 when the key lacks the permission the route needs', async () => {
    const { domain, key } = company(['candidates:read']);
    expect((await api(domain, key, 'GET', '/jobs')).status).toBe(403);
    expect((await api(domain, key, 'GET', '/candidates')).status).toBe(200);
  });

  it('pages lists with page[number] and page[size] and links to the next page', async () => {
    const { domain, key } = company();
    const first = await api(domain, key, 'GET', '/jobs?page[size]=2&include=stages');
    expect(first.json.data).toHaveLength(2);
    expect(first.json.included.filter((r: { type: string }) => r.type === 'stages')).toHaveLength(10);
    const next = (await fetch(first.json.links.next, { headers: { 'X-API-KEY': key } }).then((r) =>
      r.json(),
    )) as {
      data: unknown[];
      links: { next?: string };
    };
    expect(next.data).toHaveLength(1);
    expect(next.links.next).toBeUndefined();
    expect((await api(domain, key, 'GET', '/jobs?page[size]=101')).status).toBe(400);
  });

  it('creates a duplicate application for the same candidate and job, and counts it', async () => {
    const { domain, key, jobIds } = company();
    expect((await api(domain, key, 'POST', '/applications', application(jobIds[0]!, {}))).status).toBe(201);
    const again = await api(
      domain,
      key,
      'POST',
      '/applications',
      application(jobIds[0]!, { email: 'ADA@example.com' }),
    );
    expect(again.status).toBe(201);
    expect(sim.store.listCandidates(domain)).toHaveLength(1);
    expect(sim.store.listApplications(domain)).toHaveLength(2);
    expect(sim.store.counters(domain)).toMatchObject({
      applicationsCreated: 2,
      duplicateApplications: 1,
      candidatesCreated: 1,
    });
  });

  it('enforces job rules: required fields, closed jobs, unknown jobs and foreign stages', async () => {
    const { domain, key, jobs } = company();
    const [engineer, support, old] = jobs;
    const missing = await api(domain, key, 'POST', '/applications', application(support!.id, {}));
    expect(missing.status).toBe(422);
    expect(missing.json.errors.map((e: { source: { pointer: string } }) => e.source.pointer)).toEqual([
      '/data/attributes/phone',
      '/data/attributes/phone_iso2',
    ]);
    expect((await api(domain, key, 'POST', '/applications', application(old!.id, {}))).status).toBe(422);
    expect((await api(domain, key, 'POST', '/applications', application('424242', {}))).status).toBe(404);
    const foreign = await api(
      domain,
      key,
      'POST',
      '/applications',
      application(engineer!.id, {}, support!.stages[0]!.id),
    );
    expect(foreign.status).toBe(422);
    expect(
      (await api(domain, key, 'POST', '/applications', application(engineer!.id, { email: '' }))).status,
    ).toBe(422);
    expect(sim.store.listApplications(domain)).toHaveLength(0);
  });

  it('refuses to change an application job and refuses unknown attributes', async () => {
    const { domain, key, jobIds } = company();
    const created = await api(domain, key, 'POST', '/applications', application(jobIds[0]!, {}));
    const id = created.json.data.id;
    const moveJob = await api(domain, key, 'PUT', `/applications/${id}`, {
      data: { id, type: 'applications', relationships: { job: { data: { type: 'jobs', id: jobIds[1] } } } },
    });
    expect(moveJob.status).toBe(422);
    const unknown = await api(
      domain,
      key,
      'POST',
      '/applications',
      application(jobIds[0]!, { favourite_colour: 'red' }),
    );
    expect(unknown.status).toBe(400);
  });

  it('rejects a side-posted custom attribute for a field of another resource type, writing nothing', async () => {
    const { domain, key, customFieldIds } = company();
    const id = sim.store.addCandidate(domain, { firstName: 'A', lastName: 'B', email: 'ab@example.com' });
    const res = await api(domain, key, 'PUT', `/candidates/${id}`, {
      data: {
        id,
        type: 'candidates',
        attributes: { phone: '+1' },
        relationships: {
          custom_attributes: { data: [{ type: 'custom_attributes', 'temp-id': 'x', method: 'create' }] },
        },
      },
      included: [
        {
          type: 'custom_attributes',
          'temp-id': 'x',
          attributes: { varchar_value: 'v' },
          relationships: { custom_field: { data: { type: 'custom_fields', id: customFieldIds[1] } } },
        },
      ],
    });
    expect(res.status).toBe(422);
    expect(sim.store.listCandidates(domain)[0]).toMatchObject({
      customAttributes: [],
      attributes: { phone: null },
    });
  });

  it('requires a body and an existing target for comments', async () => {
    const { domain, key } = company();
    const blank = await api(domain, key, 'POST', '/comments', {
      data: {
        type: 'comments',
        attributes: { body_text: ' ' },
        relationships: { commentable: { data: { type: 'candidates', id: '1' } } },
      },
    });
    expect(blank.status).toBe(422);
    const missing = await api(domain, key, 'POST', '/comments', {
      data: {
        type: 'comments',
        attributes: { body_text: 'hi' },
        relationships: { commentable: { data: { type: 'candidates', id: '999999' } } },
      },
    });
    expect(missing.status).toBe(404);
  });

  it('logs requests with status and body but not the key', async () => {
    const { domain, key, jobIds } = company();
    await api(domain, key, 'POST', '/applications', application(jobIds[0]!, {}));
    const [entry] = sim.store.requestLog(domain);
    expect(entry).toMatchObject({ method: 'POST', path: '/applications', status: 201 });
    expect(JSON.stringify(sim.store.requestLog(domain))).not.toContain(key);
  });
});

describe('Pinpoint simulator control endpoint', () => {
  const control = (method: string, path: string, body?: unknown) =>
    fetch(`${sim.url}/_control${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('sets counted faults over HTTP that apply to the next requests only, and clears them', async () => {
    const { domain, key } = company();
    const set = await control('POST', `/${domain}/faults`, {
      rateLimit: { count: 1, retryAfterSeconds: 3 },
      serverErrors: { count: 1, status: 502 },
    });
    expect(set.status).toBe(200);
    const limited = await api(domain, key, 'GET', '/jobs');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect((await api(domain, key, 'GET', '/jobs')).status).toBe(502);
    expect((await api(domain, key, 'GET', '/jobs')).status).toBe(200);

    await control('POST', `/${domain}/faults`, { serverErrors: { count: 5 } });
    expect((await control('DELETE', `/${domain}/faults`)).status).toBe(204);
    expect((await api(domain, key, 'GET', '/jobs')).status).toBe(200);
  });

  it('sends Retry-After as an HTTP date when asked to', async () => {
    const { domain, key } = company();
    const date = 'Wed, 21 Oct 2099 07:28:00 GMT';
    await control('POST', `/${domain}/faults`, { rateLimit: { count: 1, retryAfterDate: date } });
    expect((await api(domain, key, 'GET', '/jobs')).headers.get('retry-after')).toBe(date);
  });

  it('rejects malformed faults and unknown companies', async () => {
    const { domain } = company();
    expect((await control('POST', `/${domain}/faults`, { rateLimit: { count: -1 } })).status).toBe(400);
    expect((await control('POST', `/${domain}/faults`, { explode: true })).status).toBe(400);
    expect((await control('GET', '/nobody/state')).status).toBe(404);
  });

  it('reports state: records, counters and current faults', async () => {
    const { domain, key, jobIds } = company();
    await api(domain, key, 'POST', '/applications', application(jobIds[0]!, {}));
    sim.setFaults(domain, { latencyMs: 5 });
    const state = (await (await control('GET', `/${domain}/state`)).json()) as {
      applications: unknown[];
      candidates: unknown[];
      counters: { applicationsCreated: number };
      faults: unknown;
    };
    expect(state.applications).toHaveLength(1);
    expect(state.candidates).toHaveLength(1);
    expect(state.counters.applicationsCreated).toBe(1);
    expect(state.faults).toEqual({ latencyMs: 5 });
  });

  it('creates a company over HTTP', async () => {
    const res = await control('POST', '/companies', {
      domain: 'over-http',
      apiKeys: [{ key: 'k-http' }],
      jobs: [{ title: 'Remote' }],
    });
    expect(res.status).toBe(201);
    expect((await api('over-http', 'k-http', 'GET', '/jobs')).json.data[0].attributes.title).toBe('Remote');
    expect(
      (await control('POST', '/companies', { domain: 'over-http', apiKeys: [{ key: 'k' }] })).status,
    ).toBe(409);
  });

  it('drops the connection after applying a write, and hangs a request when told to', async () => {
    const { domain, key, jobIds } = company();
    sim.setFaults(domain, { dropAfterWrite: { count: 1 } });
    await expect(api(domain, key, 'POST', '/applications', application(jobIds[0]!, {}))).rejects.toThrow();
    expect(sim.store.listApplications(domain)).toHaveLength(1);

    sim.setFaults(domain, { hang: { count: 1 } });
    const hung = await Promise.race([
      api(domain, key, 'GET', '/jobs').then(
        () => 'answered',
        () => 'dropped',
      ),
      new Promise((resolve) => setTimeout(() => resolve('hanging'), 200)),
    ]);
    expect(hung).toBe('hanging');
  });

  it('close() returns even while a request hangs', async () => {
    const own = await startPinpointSimulator({ port: 0 });
    own.store.createCompany({ domain: 'h', apiKeys: [{ key: 'k' }] });
    own.setFaults('h', { hang: { count: 1 } });
    const pending = fetch(`${own.url}/h/api/v1/jobs`, { headers: { 'X-API-KEY': 'k' } }).catch(
      () => 'dropped',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await own.close();
    expect(await pending).toBe('dropped');
  });
});
