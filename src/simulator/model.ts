// The simulator's data model: what one simulated Pinpoint company holds, as plain types.
import type { WebhookEventName } from '../pinpoint/api-assumptions.js';
import type { SimWebhookState } from './webhooks.js';

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
  /** Where the application ended up; `active` while it is still in the process. */
  outcome: SimOutcome;
  updatedAt: string;
}

export type SimOutcome = 'active' | 'hired' | 'rejected' | 'withdrawn';

/** Told about every application event; the server's webhook dispatcher listens. */
export type ApplicationEventListener = (
  webhooks: SimWebhookState,
  event: WebhookEventName,
  applicationId: string,
) => void;

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
  webhooks: SimWebhookState;
  /** Records served as-is after the modelled ones, e.g. to model attributes we only assume. */
  rawResources: { jobs: RawResource[]; custom_fields: RawResource[] };
}

export interface RawResource {
  id: string;
  attributes: Record<string, unknown>;
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
