// In-memory state of the Pinpoint simulator: companies (one per domain) and their jobs, fields,
// candidates, applications and comments, plus read helpers tests use to check what was written.
import { WEBHOOK_EVENTS, type WebhookEventName } from '../pinpoint/api-assumptions.js';
import {
  ALL_PERMISSIONS,
  type ApplicationEventListener,
  type CreateCompanyInput,
  type CreatedCompany,
  type SimApplication,
  type SimCandidate,
  type SimComment,
  type SimCompany,
  type SimCounters,
  type SimCustomField,
  type SimFaults,
  type SimJob,
  type SimOutcome,
  type SimPerson,
  type SimRequestLogEntry,
} from './model.js';
import {
  emptyWebhookState,
  type SimDelivery,
  type SimWebhookConfig,
  type SimWebhookFaults,
  webhookConfig,
} from './webhooks.js';

export * from './model.js';

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
  private readonly companiesByDomain = new Map<string, SimCompany>();
  // One id sequence for everything, like database ids: never reused across types or companies.
  private nextId = 100;
  private readonly listeners = new Set<ApplicationEventListener>();

  newId(): string {
    this.nextId += 1;
    return String(this.nextId);
  }

  createCompany(input: CreateCompanyInput): CreatedCompany {
    const domain = input.domain.toLowerCase();
    if (this.companiesByDomain.has(domain)) throw new Error(`simulator: company ${domain} already exists`);
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
    this.companiesByDomain.set(domain, {
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
      webhooks: emptyWebhookState(),
      rawResources: { jobs: [], custom_fields: [] },
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

  companies(): IterableIterator<SimCompany> {
    return this.companiesByDomain.values();
  }

  company(domain: string): SimCompany | undefined {
    return this.companiesByDomain.get(domain.toLowerCase());
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

  /**
   * Appends a record with exactly these attributes to `GET /jobs` or `GET /custom_fields`: a
   * malformed one, or one using attribute names other than those the simulator models.
   */
  addRawResource(
    domain: string,
    type: keyof SimCompany['rawResources'],
    attributes: Record<string, unknown>,
  ): string {
    const id = this.newId();
    this.mustCompany(domain).rawResources[type].push({ id, attributes });
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

  /** Calls `listener` on every application event; returns the unsubscribe. */
  onApplicationEvent(listener: ApplicationEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emitApplicationEvent(company: SimCompany, event: WebhookEventName, application: SimApplication): void {
    application.updatedAt = new Date().toISOString();
    for (const listener of this.listeners) listener(company.webhooks, event, application.id);
  }

  /** Points the company's webhook at `url`; later events are delivered there, signed with `secret`. */
  configureWebhook(domain: string, input: Partial<SimWebhookConfig> & { url: string; secret: string }): void {
    this.mustCompany(domain).webhooks.config = webhookConfig(input);
  }

  removeWebhook(domain: string): void {
    this.mustCompany(domain).webhooks.config = null;
  }

  setWebhookFaults(domain: string, faults: SimWebhookFaults): void {
    this.mustCompany(domain).webhooks.faults = structuredClone(faults);
  }

  deliveries(domain: string): readonly SimDelivery[] {
    return this.mustCompany(domain).webhooks.deliveries;
  }

  /** Moves an application to one of its job's stages (by id or name); the outcome is unchanged. */
  moveApplication(
    domain: string,
    applicationId: string,
    stage: { id?: string; name?: string },
  ): SimApplication {
    const { company, application, job } = this.mustApplication(domain, applicationId);
    const target = job.stages.find(
      (s) =>
        s.id === stage.id || (stage.name !== undefined && s.name.toLowerCase() === stage.name.toLowerCase()),
    );
    if (!target) throw new Error(`simulator: job ${job.id} has no stage ${stage.id ?? stage.name}`);
    application.stageId = target.id;
    this.emitApplicationEvent(company, WEBHOOK_EVENTS.stageChanged, application);
    return application;
  }

  /** Hires: the outcome becomes `hired` and the application moves to a stage named "Hired", if any. */
  hireApplication(domain: string, applicationId: string): SimApplication {
    const { company, application, job } = this.mustApplication(domain, applicationId);
    const hiredStage = job.stages.find((s) => s.name.toLowerCase() === 'hired');
    if (hiredStage) application.stageId = hiredStage.id;
    return this.conclude(company, application, 'hired', WEBHOOK_EVENTS.hired);
  }

  rejectApplication(domain: string, applicationId: string): SimApplication {
    const { company, application } = this.mustApplication(domain, applicationId);
    return this.conclude(company, application, 'rejected', WEBHOOK_EVENTS.rejected);
  }

  withdrawApplication(domain: string, applicationId: string): SimApplication {
    const { company, application } = this.mustApplication(domain, applicationId);
    return this.conclude(company, application, 'withdrawn', WEBHOOK_EVENTS.withdrawn);
  }

  private conclude(
    company: SimCompany,
    application: SimApplication,
    outcome: SimOutcome,
    event: WebhookEventName,
  ): SimApplication {
    application.outcome = outcome;
    this.emitApplicationEvent(company, event, application);
    return application;
  }

  private mustApplication(domain: string, applicationId: string) {
    const company = this.mustCompany(domain);
    const application = company.applications.find((a) => a.id === applicationId);
    if (!application) throw new Error(`simulator: no application ${applicationId} in ${domain}`);
    const job = company.jobs.find((j) => j.id === application.jobId);
    if (!job) throw new Error(`simulator: application ${applicationId} has no job`);
    return { company, application, job };
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
      // The signing secret stays out: control answers are logged and shown like any other.
      webhook: {
        config: c.webhooks.config ? { ...c.webhooks.config, secret: undefined } : null,
        faults: c.webhooks.faults,
        deliveries: c.webhooks.deliveries,
      },
    };
  }
}
