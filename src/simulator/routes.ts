// The simulated Pinpoint resources: what each `/api/v1/...` route reads, validates and writes.
import { z } from 'zod';
import { WEBHOOK_EVENTS } from '../pinpoint/api-assumptions.js';
import {
  ApiError,
  applicationResource,
  candidateResource,
  commentResource,
  customAttributeResources,
  customFieldResource,
  includes,
  invalidField,
  type JsonApiErrorObject,
  type JsonResource,
  jobResource,
  paginate,
  stageResource,
} from './jsonapi.js';
import {
  APPLICATION_CREATE_ATTRIBUTES,
  APPLICATION_UPDATE_ATTRIBUTES,
  type ApiRequest,
  type ApiResponse,
  CANDIDATE_UPDATE_ATTRIBUTES,
  isBlank,
  parseWrite,
  personFrom,
  rejectUnknownAttributes,
  relationship,
  single,
  tagsWithContext,
} from './requests.js';
import type { SimApplication, SimCandidate, SimCompany, SimulatorStore } from './store.js';

function list(
  all: readonly JsonResource[],
  included: JsonResource[],
  req: ApiRequest,
  path: string,
): ApiResponse {
  const page = paginate(all, req.query);
  const ids = new Set(
    page.items
      .flatMap((r) => Object.values(r.relationships ?? {}))
      .flatMap((rel) => {
        const data = rel.data;
        return Array.isArray(data) ? data : data ? [data] : [];
      })
      .map((d) => `${(d as { type: string }).type}/${(d as { id: string }).id}`),
  );
  const links: Record<string, string> = { self: `${req.apiRoot}/${path}?${req.query}` };
  if (page.nextQuery) links.next = `${req.apiRoot}/${path}?${page.nextQuery}`;
  return {
    status: 200,
    body: {
      data: page.items,
      included: included.filter((r) => ids.has(`${r.type}/${r.id}`)),
      links,
      meta: {},
    },
  };
}

export function handleApi(store: SimulatorStore, company: SimCompany, req: ApiRequest): ApiResponse {
  const [resource, id, ...rest] = req.segments;
  if (rest.length > 0 || resource === undefined) throw ApiError.simple(404, 'Not found');
  const key = `${req.method} ${resource}${id === undefined ? '' : '/:id'}`;
  const include = includes(req.query);

  switch (key) {
    case 'GET jobs': {
      const withStages = include.has('stages');
      const included = withStages
        ? company.jobs.flatMap((j) => j.stages.map((s) => stageResource(s, j.id)))
        : [];
      return list(
        [...company.jobs.map((j) => jobResource(j, withStages)), ...raw(company, 'jobs')],
        included,
        req,
        'jobs',
      );
    }
    case 'GET jobs/:id': {
      const job = company.jobs.find((j) => j.id === id);
      if (!job) throw ApiError.simple(404, 'Not found', `No job ${id}`);
      const withStages = include.has('stages');
      return single(
        jobResource(job, withStages),
        withStages ? job.stages.map((s) => stageResource(s, job.id)) : [],
      );
    }
    case 'GET custom_fields':
      return list(
        [...company.customFields.map(customFieldResource), ...raw(company, 'custom_fields')],
        [],
        req,
        'custom_fields',
      );
    case 'GET candidates': {
      // Deliberately loose (substring, any case), so clients must re-check matches themselves.
      const needle = req.query.get('filter[email]')?.toLowerCase();
      const found = needle
        ? company.candidates.filter((c) => c.attributes.email?.toLowerCase().includes(needle))
        : company.candidates;
      const withCustom = include.has('custom_attributes');
      return list(
        found.map((c) => candidateResource(c, withCustom)),
        withCustom ? found.flatMap(customAttributeResources) : [],
        req,
        'candidates',
      );
    }
    case 'GET candidates/:id':
      return candidateResponse(findCandidate(company, id), include);
    case 'PUT candidates/:id':
      return updateCandidate(store, company, findCandidate(company, id), req, include);
    case 'GET applications': {
      const jobId = req.query.get('filter[job_id]');
      const found = jobId ? company.applications.filter((a) => a.jobId === jobId) : company.applications;
      return list(
        found.map(applicationResource),
        applicationIncludes(company, include, found),
        req,
        'applications',
      );
    }
    case 'GET applications/:id': {
      const application = findApplication(company, id);
      return single(applicationResource(application), applicationIncludes(company, include, [application]));
    }
    case 'POST applications':
      return createApplication(store, company, req);
    case 'PUT applications/:id':
      return updateApplication(store, company, findApplication(company, id), req);
    case 'POST comments':
      return createComment(store, company, req);
    default:
      throw ApiError.simple(404, 'Not found', `No route ${req.method} /${req.segments.join('/')}`);
  }
}

function raw(company: SimCompany, type: keyof SimCompany['rawResources']): JsonResource[] {
  return company.rawResources[type].map((r) => ({ type, id: r.id, attributes: r.attributes }));
}

/** What the given applications link to, for each of `candidate`, `stage` and `job` requested. */
function applicationIncludes(
  company: SimCompany,
  include: Set<string>,
  applications: readonly SimApplication[],
): JsonResource[] {
  const candidateIds = new Set(applications.map((a) => a.candidateId));
  const jobIds = new Set(applications.map((a) => a.jobId));
  const stageIds = new Set(applications.map((a) => a.stageId));
  return [
    ...(include.has('candidate')
      ? company.candidates.filter((c) => candidateIds.has(c.id)).map((c) => candidateResource(c, false))
      : []),
    ...(include.has('job')
      ? company.jobs.filter((j) => jobIds.has(j.id)).map((j) => jobResource(j, false))
      : []),
    ...(include.has('stage')
      ? company.jobs.flatMap((j) =>
          j.stages.filter((st) => stageIds.has(st.id)).map((st) => stageResource(st, j.id)),
        )
      : []),
  ];
}

function findCandidate(company: SimCompany, id: string | undefined): SimCandidate {
  const candidate = company.candidates.find((c) => c.id === id);
  if (!candidate) throw ApiError.simple(404, 'Not found', `No candidate ${id}`);
  return candidate;
}

function findApplication(company: SimCompany, id: string | undefined) {
  const application = company.applications.find((a) => a.id === id);
  if (!application) throw ApiError.simple(404, 'Not found', `No application ${id}`);
  return application;
}

function candidateResponse(candidate: SimCandidate, include: Set<string>): ApiResponse {
  const withCustom = include.has('custom_attributes');
  return single(
    candidateResource(candidate, withCustom),
    withCustom ? customAttributeResources(candidate) : [],
  );
}

const sidepostRef = z.object({
  type: z.literal('custom_attributes'),
  id: z.union([z.string(), z.number()]).transform(String).optional(),
  'temp-id': z.string().optional(),
  method: z.enum(['create', 'update']),
});

function updateCandidate(
  store: SimulatorStore,
  company: SimCompany,
  candidate: SimCandidate,
  req: ApiRequest,
  include: Set<string>,
): ApiResponse {
  const doc = parseWrite(req.body, 'candidates', candidate.id);
  rejectUnknownAttributes(doc.data.attributes, CANDIDATE_UPDATE_ATTRIBUTES);
  const person = personFrom(doc.data.attributes);
  const errors: JsonApiErrorObject[] = [];
  if ('email' in person) {
    const other = person.email ? store.findCandidateByEmail(company, person.email) : undefined;
    if (isBlank(person.email)) errors.push(invalidField('/data/attributes/email', 'email', "can't be blank"));
    else if (other && other.id !== candidate.id) {
      errors.push(invalidField('/data/attributes/email', 'email', 'has already been taken'));
    }
  }

  // Validate every side-posted custom attribute before applying any: the write is all or nothing.
  const rawRefs = (doc.data.relationships as Record<string, unknown>).custom_attributes;
  const refs = rawRefs === undefined ? [] : z.object({ data: z.array(sidepostRef) }).safeParse(rawRefs);
  if (!Array.isArray(refs) && !refs.success) {
    throw ApiError.simple(400, 'Malformed request', 'relationships.custom_attributes is malformed');
  }
  const planned: (() => void)[] = [];
  (Array.isArray(refs) ? [] : refs.data.data).forEach((ref, index) => {
    const pointer = `/data/relationships/custom_attributes/data/${index}`;
    const entry = doc.included.find((i) =>
      ref.method === 'create' ? i['temp-id'] === ref['temp-id'] : i.id === ref.id && i.type === ref.type,
    );
    if (!entry)
      throw ApiError.simple(400, 'Malformed request', `${pointer} has no matching included resource`);
    const valueKeys = Object.keys(entry.attributes).filter((k) => k.endsWith('_value'));
    if (valueKeys.length !== 1) {
      errors.push(invalidField(pointer, 'value', 'must be given once, as <type>_value'));
      return;
    }
    const valueKey = valueKeys[0]!;
    const value = entry.attributes[valueKey];
    if (ref.method === 'update') {
      const existing = candidate.customAttributes.find((c) => c.id === ref.id);
      if (!existing)
        throw ApiError.simple(404, 'Not found', `No custom attribute ${ref.id} on this candidate`);
      planned.push(() => {
        existing.valueKey = valueKey;
        existing.value = value;
      });
      return;
    }
    const fieldRef = relationship(entry.relationships, 'custom_field');
    const field = company.customFields.find((f) => f.id === fieldRef?.id);
    if (!field) {
      errors.push(invalidField(`${pointer}/relationships/custom_field`, 'custom_field', 'must exist'));
    } else if (field.resourceType !== 'candidate') {
      errors.push(
        invalidField(pointer, 'custom_field', `belongs to ${field.resourceType} records, not candidates`),
      );
    } else if (candidate.customAttributes.some((c) => c.customFieldId === field.id)) {
      errors.push(invalidField(pointer, 'custom_field', 'has already been taken'));
    } else {
      planned.push(() =>
        candidate.customAttributes.push({ id: store.newId(), customFieldId: field.id, valueKey, value }),
      );
    }
  });
  if (errors.length > 0) throw new ApiError(422, errors);

  Object.assign(candidate.attributes, person);
  for (const apply of planned) apply();
  return candidateResponse(candidate, include);
}

function createApplication(store: SimulatorStore, company: SimCompany, req: ApiRequest): ApiResponse {
  const doc = parseWrite(req.body, 'applications');
  const { attributes, relationships } = doc.data;
  rejectUnknownAttributes(attributes, APPLICATION_CREATE_ATTRIBUTES);
  const person = personFrom(attributes);
  const tags = tagsWithContext.safeParse(attributes.add_tags_with_context ?? []);
  if (!tags.success) throw ApiError.simple(400, 'Malformed request', 'add_tags_with_context is malformed');

  const jobRef = relationship(relationships, 'job');
  if (!jobRef) throw ApiError.invalid('/data/relationships/job', 'job', 'must exist');
  const job = company.jobs.find((j) => j.id === jobRef.id);
  if (!job) throw ApiError.simple(404, 'Not found', `No job ${jobRef.id}`);

  const errors: JsonApiErrorObject[] = [];
  for (const field of ['first_name', 'last_name', 'email', ...job.requiredFields]) {
    if (isBlank(attributes[field]))
      errors.push(invalidField(`/data/attributes/${field}`, field, "can't be blank"));
  }
  if (typeof person.email === 'string' && person.email !== '' && !/^[^@\s]+@[^@\s]+$/.test(person.email)) {
    errors.push(invalidField('/data/attributes/email', 'email', 'is invalid'));
  }
  if (job.status !== 'open') {
    errors.push(invalidField('/data/relationships/job', 'job', 'is not accepting applications'));
  }
  const stageRef = relationship(relationships, 'stage');
  const stage = stageRef ? job.stages.find((s) => s.id === stageRef.id) : job.stages[0];
  if (!stage) errors.push(invalidField('/data/relationships/stage', 'stage', 'is not a stage of this job'));
  if (errors.length > 0 || !stage) throw new ApiError(422, errors);

  // An existing candidate with this email gets the application; nothing is merged or overwritten.
  const { summary: _summary, ...candidateAttributes } = person;
  const candidate =
    store.findCandidateByEmail(company, person.email ?? '') ??
    store.insertCandidate(company, candidateAttributes);
  if (company.applications.some((a) => a.candidateId === candidate.id && a.jobId === job.id)) {
    company.counters.duplicateApplications += 1;
  }
  const application = {
    id: store.newId(),
    candidateId: candidate.id,
    jobId: job.id,
    stageId: stage.id,
    attributes: person,
    tags: tags.data.map((t) => ({ tag: t.tag, context: t.context ?? null })),
    skipNotificationsOnCreate: attributes.skip_notifications_on_create === true,
    outcome: 'active' as const,
    updatedAt: new Date().toISOString(),
  };
  company.applications.push(application);
  company.counters.applicationsCreated += 1;
  return single(applicationResource(application), [], 201);
}

function updateApplication(
  store: SimulatorStore,
  company: SimCompany,
  application: SimCompany['applications'][number],
  req: ApiRequest,
): ApiResponse {
  const doc = parseWrite(req.body, 'applications', application.id);
  const { attributes, relationships } = doc.data;
  rejectUnknownAttributes(attributes, APPLICATION_UPDATE_ATTRIBUTES);
  const person = personFrom(attributes);
  const tags = tagsWithContext.safeParse(attributes.add_tags_with_context ?? []);
  if (!tags.success) throw ApiError.simple(400, 'Malformed request', 'add_tags_with_context is malformed');
  if ('job' in relationships) throw ApiError.invalid('/data/relationships/job', 'job', 'cannot be changed');
  const stageRef = relationship(relationships, 'stage');
  const job = company.jobs.find((j) => j.id === application.jobId);
  const stage = stageRef ? job?.stages.find((s) => s.id === stageRef.id) : undefined;
  if (stageRef && !stage)
    throw ApiError.invalid('/data/relationships/stage', 'stage', 'is not a stage of this job');
  for (const field of ['first_name', 'last_name', 'email']) {
    if (field in person && isBlank(person[field])) {
      throw ApiError.invalid(`/data/attributes/${field}`, field, "can't be blank");
    }
  }

  Object.assign(application.attributes, person);
  const moved = stage !== undefined && stage.id !== application.stageId;
  if (stage) application.stageId = stage.id;
  for (const tag of tags.data) {
    if (!application.tags.some((t) => t.tag === tag.tag))
      application.tags.push({ tag: tag.tag, context: tag.context ?? null });
  }
  application.updatedAt = new Date().toISOString();
  // A stage moved through the API fires the same webhook as one moved in Pinpoint's UI.
  if (moved) store.emitApplicationEvent(company, WEBHOOK_EVENTS.stageChanged, application);
  return single(applicationResource(application));
}

function createComment(store: SimulatorStore, company: SimCompany, req: ApiRequest): ApiResponse {
  const doc = parseWrite(req.body, 'comments');
  const bodyText = doc.data.attributes.body_text;
  if (typeof bodyText !== 'string' || bodyText.trim() === '') {
    throw ApiError.invalid('/data/attributes/body_text', 'body_text', "can't be blank");
  }
  const target = relationship(doc.data.relationships, 'commentable');
  if (!target) throw ApiError.invalid('/data/relationships/commentable', 'commentable', 'must exist');
  if (target.type !== 'applications' && target.type !== 'candidates') {
    throw ApiError.invalid(
      '/data/relationships/commentable',
      'commentable',
      'must be an application or a candidate',
    );
  }
  const exists =
    target.type === 'applications'
      ? company.applications.some((a) => a.id === target.id)
      : company.candidates.some((c) => c.id === target.id);
  if (!exists) throw ApiError.simple(404, 'Not found', `No ${target.type} ${target.id}`);
  const comment = { id: store.newId(), bodyText, commentable: { type: target.type, id: target.id } } as const;
  company.comments.push({ ...comment, commentable: { ...comment.commentable } });
  company.counters.commentsCreated += 1;
  return single(commentResource(comment), [], 201);
}
