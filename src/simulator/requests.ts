// Request and response shapes of the simulated API, and the validation every write shares:
// document shape, writable attributes, personal attributes and to-one relationships.
import { z } from 'zod';
import { ApiError, type JsonResource } from './jsonapi.js';
import { PERSON_ATTRIBUTES, type SimPerson } from './store.js';

export interface ApiRequest {
  method: string;
  /** Path segments after `/api/v1`. */
  segments: string[];
  query: URLSearchParams;
  body: unknown;
  /** Absolute URL of `/{domain}/api/v1`, for `links`. */
  apiRoot: string;
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

export const idRef = z.object({ type: z.string(), id: z.union([z.string(), z.number()]).transform(String) });
export const relationshipOne = z.object({ data: idRef.nullable() });

export const writeDocument = z.object({
  data: z.object({
    type: z.string(),
    id: z.union([z.string(), z.number()]).transform(String).optional(),
    attributes: z.record(z.string(), z.unknown()).optional().default({}),
    relationships: z.record(z.string(), z.unknown()).optional().default({}),
  }),
  included: z
    .array(
      z.object({
        type: z.string(),
        id: z.string().optional(),
        'temp-id': z.string().optional(),
        attributes: z.record(z.string(), z.unknown()).optional().default({}),
        relationships: z.record(z.string(), z.unknown()).optional().default({}),
      }),
    )
    .optional()
    .default([]),
});
export type WriteDocument = z.infer<typeof writeDocument>;

export const tagsWithContext = z.array(z.object({ tag: z.string().min(1), context: z.string().nullish() }));

export const APPLICATION_CREATE_ATTRIBUTES = new Set<string>([
  ...PERSON_ATTRIBUTES,
  'skip_notifications_on_create',
  'add_tags_with_context',
  'cv_base64_filename',
  'cv_base64_data',
]);
// Pinpoint cannot change job, CV, summary or answers through PUT.
export const APPLICATION_UPDATE_ATTRIBUTES = new Set<string>([
  ...PERSON_ATTRIBUTES.filter((a) => a !== 'summary'),
  'add_tags_with_context',
]);
export const CANDIDATE_UPDATE_ATTRIBUTES = new Set<string>(PERSON_ATTRIBUTES.filter((a) => a !== 'summary'));

export function parseWrite(body: unknown, type: string, id?: string): WriteDocument {
  const parsed = writeDocument.safeParse(body);
  if (!parsed.success)
    throw ApiError.simple(400, 'Malformed request', 'Expected a JSON:API document with data');
  if (parsed.data.data.type !== type) {
    throw ApiError.simple(400, 'Malformed request', `data.type must be "${type}"`);
  }
  if (id !== undefined && parsed.data.data.id !== id) {
    throw ApiError.simple(400, 'Malformed request', 'data.id must match the URL');
  }
  return parsed.data;
}

export function rejectUnknownAttributes(attributes: Record<string, unknown>, allowed: Set<string>): void {
  for (const key of Object.keys(attributes)) {
    if (!allowed.has(key)) {
      throw new ApiError(400, [
        {
          status: '400',
          title: 'Unknown attribute',
          detail: `${key} is not a writable attribute`,
          source: { pointer: `/data/attributes/${key}` },
        },
      ]);
    }
  }
}

export function personFrom(attributes: Record<string, unknown>): SimPerson {
  const person: SimPerson = {};
  for (const key of PERSON_ATTRIBUTES) {
    if (!(key in attributes)) continue;
    const value = attributes[key];
    if (value !== null && typeof value !== 'string') {
      throw ApiError.invalid(`/data/attributes/${key}`, key, 'must be a string');
    }
    person[key] = value;
  }
  return person;
}

export function relationship(relationships: Record<string, unknown>, name: string) {
  if (!(name in relationships)) return undefined;
  const parsed = relationshipOne.safeParse(relationships[name]);
  if (!parsed.success) throw ApiError.simple(400, 'Malformed request', `relationships.${name} is malformed`);
  return parsed.data.data;
}

export const isBlank = (value: unknown) => value === undefined || value === null || value === '';

export function single(data: JsonResource, included: JsonResource[] = [], status = 200): ApiResponse {
  return { status, body: included.length > 0 ? { data, included } : { data } };
}
