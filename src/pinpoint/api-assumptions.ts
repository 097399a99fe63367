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
