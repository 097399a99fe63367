// Every part of the Pinpoint API we could not confirm from public documentation, in one place,
// so that correcting an assumption against the real API is a one-line change.

/** Path prefix after the per-company base URL. */
export const API_PREFIX = '/api/v1';

export const MEDIA_TYPE = 'application/vnd.api+json';

/** Pagination parameters (assumed Graphiti-style). Pages are numbered from 1. */
export const PAGINATION = {
  numberParam: 'page[number]',
  sizeParam: 'page[size]',
  firstPage: 1,
  /** Larger pages are not known to be accepted. */
  maxPageSize: 100,
  /** Guards against a server that keeps answering `links.next`. */
  defaultMaxPages: 100,
} as const;

/** Filter parameter names (assumed). */
export const FILTERS = {
  candidateEmail: 'filter[email]',
  applicationJobId: 'filter[job_id]',
} as const;

/** `include=` relationship names (assumed). */
export const INCLUDES = {
  jobStages: 'stages',
  candidateCustomAttributes: 'custom_attributes',
  applicationCandidate: 'candidate',
} as const;

/** Attribute that carries tags on application writes (documented for PUT; assumed for POST). */
export const ADD_TAGS_ATTRIBUTE = 'add_tags_with_context';

/**
 * Custom attribute values live under a type-specific attribute (`varchar_value` is documented;
 * the others are assumed). Unknown field types fall back to `varchar_value`.
 */
export function customAttributeValueKey(fieldType: string | undefined): string {
  switch (fieldType) {
    case 'text':
    case 'long_text':
      return 'text_value';
    case 'integer':
    case 'number':
      return 'integer_value';
    case 'boolean':
    case 'checkbox':
      return 'boolean_value';
    case 'date':
      return 'date_value';
    default:
      return 'varchar_value';
  }
}

/** Relationships side-loaded when re-reading one application (assumed names). */
export const APPLICATION_INCLUDES = ['candidate', 'stage', 'job'] as const;

/**
 * Where an application's outcome may appear (assumed: Pinpoint documents none). Read in this
 * order; the first one holding a known value wins. Timestamps imply an outcome when no status does.
 */
export const APPLICATION_OUTCOME_ATTRIBUTES = ['status', 'outcome', 'state'] as const;
export const APPLICATION_OUTCOME_TIMESTAMPS = {
  hired: ['hired_at'],
  rejected: ['rejected_at'],
  withdrawn: ['withdrawn_at'],
} as const;

/** Outcome values as sent (assumed), normalised to ours. Anything else reads as unknown (null). */
export const APPLICATION_OUTCOME_VALUES: Readonly<
  Record<string, 'active' | 'hired' | 'rejected' | 'withdrawn'>
> = {
  active: 'active',
  open: 'active',
  in_progress: 'active',
  hired: 'hired',
  rejected: 'rejected',
  declined: 'rejected',
  withdrawn: 'withdrawn',
};

/** Attribute carrying a stage's name when the stage is not side-loaded (assumed). */
export const APPLICATION_STAGE_NAME_ATTRIBUTE = 'stage_name';

/** Attribute of the application's last change (assumed). */
export const APPLICATION_UPDATED_AT_ATTRIBUTE = 'updated_at';

/** Pinpoint's admin page for an application (assumed path below the company's base URL). */
export const APPLICATION_ADMIN_PATH = '/admin/applications/{id}';

/** Custom-field attribute names: only examples are documented, so alternatives are read too. */
export const CUSTOM_FIELD_ATTRIBUTES = {
  label: ['label', 'name', 'title'],
  fieldType: ['field_type', 'type', 'input_type'],
  resourceType: ['resource_type', 'resource', 'applies_to'],
} as const;

/** Stage name attribute and its assumed alternative. */
export const STAGE_NAME_ATTRIBUTES = ['name', 'title'] as const;

/**
 * Webhooks. Only `application_hired` and the `{"event","data":{"application":{"id"}}}` shape are
 * documented; the other event names are assumed to follow the same `application_<verb>` pattern.
 */
export const WEBHOOK_EVENTS = {
  stageChanged: 'application_stage_changed',
  hired: 'application_hired',
  rejected: 'application_rejected',
  withdrawn: 'application_withdrawn',
} as const;
export type WebhookEventName = (typeof WEBHOOK_EVENTS)[keyof typeof WEBHOOK_EVENTS];

/** Documented: base64(HMAC-SHA256(signing secret, raw body)). Header names are case-insensitive. */
export const WEBHOOK_SIGNATURE_HEADER = 'PINPOINT-HMAC-SHA256';

/**
 * A per-delivery id, the same on every retry (assumed: not documented, and it may never be sent;
 * deduplicate by a hash of the raw body when it is absent).
 */
export const WEBHOOK_DELIVERY_ID_HEADER = 'PINPOINT-DELIVERY-ID';

/**
 * Documented delivery rules: a 2xx within 5 s succeeds; otherwise retried "up to 10 times over
 * 24 hours" with exponential backoff and jitter. We read that as 10 tries in all (assumed), with a
 * base delay that makes nine doublings span about a day.
 */
export const WEBHOOK_DELIVERY = {
  timeoutMs: 5_000,
  maxAttempts: 10,
  backoffBaseMs: 170_000,
} as const;
