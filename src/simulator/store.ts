// In-memory state of the Pinpoint simulator: companies (one per domain) and their jobs, fields,
// candidates, applications and comments, plus read helpers tests use to check what was written.

export type Permission =
  | 'jobs:read'
  | 'applications:read'
  | 'applications:write'
  | 'candidates:read'
  | 'candidates:write'
  | 'comments:write'
  | 'custom_fields:read';

export const ALL_PERMISSIONS: readonly Permission[] = [
  'jobs:read',
  'applications:read',
  'applications:write',
  'candidates:read',
  'candidates:write',
  'comments:write',
  'custom_fields:read',
];

export interface SimStage {
  id: string;
  name: string;
  position: number;
}

export interface SimJob {
  id: string;
  title: string;
  status: 'open' | 'closed' | 'archived' | 'draft';
  stages: SimStage[];
  /** Application attributes this job insists on, e.g. `phone`, `phone_iso2`. */
  requiredFields: string[];
}

export interface SimCustomField {
  id: string;
  label: string;
  fieldType: string;
  resourceType: 'candidate' | 'application' | 'job';
}

export interface SimCustomAttribute {
  id: string;
  customFieldId: string;
  /** The `<type>_value` attribute the value was written under. */
  valueKey: string;
  value: unknown;
}

/** Personal attributes, snake_case as on the wire. */
export type SimPerson = Record<string, string | null>;

export interface SimCandidate {
  id: string;
  attributes: SimPerson;
  customAttributes: SimCustomAttribute[];
}

export interface SimApplication {
  id: string;
  candidateId: string;
  jobId: string;
  stageId: string;
  attributes: SimPerson;
  tags: { tag: string; context: string | null }[];
  skipNotificationsOnCreate: boolean;
}

export interface SimComment {
  id: string;
  bodyText: string;
  commentable: { type: 'applications' | 'candidates'; id: string };
}

export interface SimRequestLogEntry {
  method: string;
  /** Path below `/{domain}/api/v1`, without the query string. */
  path: string;
  query: Record<string, string>;
  status: number;
  /** Parsed JSON body of writes (never the API key, which travels in a header). */
  body: unknown;
  at: string;
}

/**
 * Faults to inject. Counted faults hit the next `count` matching requests; `path`, when given,
 * limits a fault to requests whose path below `/api/v1` starts with it (e.g. `/comments`).
 */
export interface SimFaults {
  /** The next `count` requests answer 429, with `Retry-After` in seconds or as an HTTP date. */
  rateLimit?: { count: number; retryAfterSeconds?: number; retryAfterDate?: string; path?: string };
  /** The next `count` requests answer `status` (default 500). */
  serverErrors?: { count: number; status?: number; path?: string };
  /** Every request waits this long before being handled (until cleared). */
  latencyMs?: number;
  /** The next `count` writes are applied, then the socket is destroyed without an answer. */
  dropAfterWrite?: { count: number; path?: string };
  /** The next `count` requests are never answered. */
  hang?: { count: number; path?: string };
}

export interface SimCounters {
  requests: number;
  candidatesCreated: number;
  applicationsCreated: number;
  /** Applications created for a (candidate, job) pair that already had one. */
  duplicateApplications: number;
  commentsCreated: number;
}

export interface SimCompany {
  domain: string;
  apiKeys: Map<string, ReadonlySet<Permission>>;
  jobs: SimJob[];
  customFields: SimCustomField[];
  candidates: SimCandidate[];
  applications: SimApplication[];
  comments: SimComment[];
  requestLog: SimRequestLogEntry[];
  faults: SimFaults;
  counters: SimCounters;
  /** Off: list answers carry no `links.next`, so clients must stop on a short page. */
  paginationLinks: boolean;
}

export interface CreateCompanyInput {
  domain: string;
  /** `permissions` omitted: the key may do everything. */
  apiKeys: { key: string; permissions?: readonly Permission[] }[];
  jobs?: {
    title: string;
    status?: SimJob['status'];
    /** Stage names in order; default Applied, Screening, Interview, Offer, Hired. */
    stages?: string[];
    requiredFields?: string[];
  }[];
  customFields?: { label: string; fieldType?: string; resourceType: SimCustomField['resourceType'] }[];
  paginationLinks?: boolean;
}

export interface CreatedCompany {
  domain: string;
  jobs: { id: string; title: string; stages: { id: string; name: string }[] }[];
  jobIds: string[];
  customFieldIds: string[];
}

const DEFAULT_STAGES = ['Applied', 'Screening', 'Interview', 'Offer', 'Hired'];

export const PERSON_ATTRIBUTES = [
  'first_name',
  'last_name',
  'email',
  'phone',
  'phone_iso2',
  'linkedin_url',
  'address1',
  'address2',
  'town',
  'country',
  'postcode',
  'date_of_birth',
  'summary',
] as const;

export class SimulatorStore {
  private readonly companies = new Map<string, SimCompany>();
  // One id sequence for everything, like database ids: never reused across types or companies.
  private nextId = 100;

  newId(): string {
    this.nextId += 1;
    return String(this.nextId);
  }

  createCompany(input: CreateCompanyInput): CreatedCompany {
    const domain = input.domain.toLowerCase();
    if (this.companies.has(domain)) throw new Error(`simulator: company ${domain} already exists`);
    const jobs: SimJob[] = (input.jobs ?? []).map((job) => ({
      id: this.newId(),
      title: job.title,
      status: job.status ?? 'open',
      stages: (job.stages ?? DEFAULT_STAGES).map((name, position) => ({ id: this.newId(), name, position })),
      requiredFields: job.requiredFields ?? [],
    }));
    const customFields: SimCustomField[] = (input.customFields ?? []).map((field) => ({
      id: this.newId(),
      label: field.label,
      fieldType: field.fieldType ?? 'varchar',
      resourceType: field.resourceType,
    }));
    this.companies.set(domain, {
      domain,
      apiKeys: new Map(input.apiKeys.map((k) => [k.key, new Set(k.permissions ?? ALL_PERMISSIONS)])),
      jobs,
      customFields,
      candidates: [],
      applications: [],
      comments: [],
      requestLog: [],
      faults: {},
      counters: {
        requests: 0,
        candidatesCreated: 0,
        applicationsCreated: 0,
        duplicateApplications: 0,
        commentsCreated: 0,
      },
      paginationLinks: input.paginationLinks ?? true,
    });
    return {
      domain,
      jobs: jobs.map((j) => ({
        id: j.id,
        title: j.title,
        stages: j.stages.map((s) => ({ id: s.id, name: s.name })),
      })),
      jobIds: jobs.map((j) => j.id),
      customFieldIds: customFields.map((f) => f.id),
    };
  }

  company(domain: string): SimCompany | undefined {
    return this.companies.get(domain.toLowerCase());
  }

  private mustCompany(domain: string): SimCompany {
    const company = this.company(domain);
    if (!company) throw new Error(`simulator: no company ${domain}`);
    return company;
  }

  /**
   * Seeds a candidate directly (Pinpoint has no POST /candidates). Emails are unique
   * case-insensitively unless `allowDuplicate` models a company that already has duplicates.
   */
  addCandidate(
    domain: string,
    attributes: { firstName: string; lastName: string; email: string; phone?: string },
    options: { allowDuplicate?: boolean } = {},
  ): string {
    const company = this.mustCompany(domain);
    if (!options.allowDuplicate && this.findCandidateByEmail(company, attributes.email)) {
      throw new Error(`simulator: a candidate with email ${attributes.email} exists`);
    }
    return this.insertCandidate(company, {
      first_name: attributes.firstName,
      last_name: attributes.lastName,
      email: attributes.email,
      phone: attributes.phone ?? null,
    }).id;
  }

  findCandidateByEmail(company: SimCompany, email: string): SimCandidate | undefined {
    const wanted = email.trim().toLowerCase();
    return company.candidates.find((c) => c.attributes.email?.toLowerCase() === wanted);
  }

  insertCandidate(company: SimCompany, attributes: SimPerson): SimCandidate {
    const candidate: SimCandidate = { id: this.newId(), attributes: { ...attributes }, customAttributes: [] };
    company.candidates.push(candidate);
    company.counters.candidatesCreated += 1;
    return candidate;
  }

  addCustomField(domain: string, field: Omit<SimCustomField, 'id'>): string {
    const id = this.newId();
    this.mustCompany(domain).customFields.push({ id, ...field });
    return id;
  }

  setFaults(domain: string, faults: SimFaults): void {
    this.mustCompany(domain).faults = { ...faults };
  }

  clearFaults(domain: string): void {
    this.mustCompany(domain).faults = {};
  }

  listApplications(domain: string): readonly SimApplication[] {
    return this.mustCompany(domain).applications;
  }

  listCandidates(domain: string): readonly SimCandidate[] {
    return this.mustCompany(domain).candidates;
  }

  listComments(domain: string): readonly SimComment[] {
    return this.mustCompany(domain).comments;
  }

  listJobs(domain: string): readonly SimJob[] {
    return this.mustCompany(domain).jobs;
  }

  requestLog(domain: string): readonly SimRequestLogEntry[] {
    return this.mustCompany(domain).requestLog;
  }

  counters(domain: string): Readonly<SimCounters> {
    return this.mustCompany(domain).counters;
  }

  /** JSON-friendly snapshot for `GET /_control/{domain}/state`. */
  snapshot(domain: string): unknown {
    const c = this.mustCompany(domain);
    return {
      domain: c.domain,
      jobs: c.jobs,
      customFields: c.customFields,
      candidates: c.candidates,
      applications: c.applications,
      comments: c.comments,
      counters: c.counters,
      faults: c.faults,
      requestLog: c.requestLog,
    };
  }
}
