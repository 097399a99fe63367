// JSON:API documents as the simulator writes them: resource serialisers, errors and pagination.
import type { SimApplication, SimCandidate, SimComment, SimCustomField, SimJob, SimStage } from './store.js';

export interface JsonApiErrorObject {
  status: string;
  title: string;
  detail?: string;
  source?: { pointer?: string; parameter?: string };
  meta?: { attribute?: string; message?: string };
}

/** Thrown by route handlers; the server answers with it as a JSON:API error document. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: JsonApiErrorObject[],
  ) {
    super(errors.map((e) => e.detail ?? e.title).join('; '));
  }

  static simple(status: number, title: string, detail?: string): ApiError {
    return new ApiError(status, [{ status: String(status), title, ...(detail ? { detail } : {}) }]);
  }

  /** 422 for one attribute or relationship, pointer and meta as Graphiti sends them. */
  static invalid(pointer: string, attribute: string, message: string): ApiError {
    return new ApiError(422, [invalidField(pointer, attribute, message)]);
  }
}

export function invalidField(pointer: string, attribute: string, message: string): JsonApiErrorObject {
  return {
    status: '422',
    title: 'Validation Error',
    detail: `${attribute.replaceAll('_', ' ')} ${message}`,
    source: { pointer },
    meta: { attribute, message },
  };
}

export type JsonResource = {
  type: string;
  id: string;
  attributes: Record<string, unknown>;
  relationships?: Record<string, { data: unknown }>;
};

const ref = (type: string, id: string) => ({ type, id });

export function jobResource(job: SimJob, withStages: boolean): JsonResource {
  return {
    type: 'jobs',
    id: job.id,
    attributes: { title: job.title, status: job.status },
    ...(withStages
      ? { relationships: { stages: { data: job.stages.map((s) => ref('stages', s.id)) } } }
      : {}),
  };
}

export function stageResource(stage: SimStage, jobId: string): JsonResource {
  return {
    type: 'stages',
    id: stage.id,
    attributes: { name: stage.name, position: stage.position },
    relationships: { job: { data: ref('jobs', jobId) } },
  };
}

export function customFieldResource(field: SimCustomField): JsonResource {
  return {
    type: 'custom_fields',
    id: field.id,
    attributes: { label: field.label, field_type: field.fieldType, resource_type: field.resourceType },
  };
}

export function candidateResource(candidate: SimCandidate, withCustom: boolean): JsonResource {
  return {
    type: 'candidates',
    id: candidate.id,
    attributes: { ...candidate.attributes },
    ...(withCustom
      ? {
          relationships: {
            custom_attributes: {
              data: candidate.customAttributes.map((c) => ref('custom_attributes', c.id)),
            },
          },
        }
      : {}),
  };
}

export function customAttributeResources(candidate: SimCandidate): JsonResource[] {
  return candidate.customAttributes.map((c) => ({
    type: 'custom_attributes',
    id: c.id,
    attributes: { [c.valueKey]: c.value },
    relationships: {
      custom_field: { data: ref('custom_fields', c.customFieldId) },
      candidate: { data: ref('candidates', candidate.id) },
    },
  }));
}

export function applicationResource(application: SimApplication): JsonResource {
  return {
    type: 'applications',
    id: application.id,
    // `status` and `updated_at` are assumed names (see APPLICATION_OUTCOME_ATTRIBUTES).
    attributes: {
      ...application.attributes,
      tags: application.tags.map((t) => t.tag),
      status: application.outcome,
      updated_at: application.updatedAt,
    },
    relationships: {
      job: { data: ref('jobs', application.jobId) },
      stage: { data: ref('stages', application.stageId) },
      candidate: { data: ref('candidates', application.candidateId) },
    },
  };
}

export function commentResource(comment: SimComment): JsonResource {
  return {
    type: 'comments',
    id: comment.id,
    attributes: { body_text: comment.bodyText },
    relationships: { commentable: { data: ref(comment.commentable.type, comment.commentable.id) } },
  };
}

export function includes(query: URLSearchParams): Set<string> {
  return new Set(
    (query.get('include') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

export interface Page<T> {
  items: T[];
  hasMore: boolean;
  nextQuery: URLSearchParams | null;
}

/** Graphiti-style `page[number]` / `page[size]`: default size 20, at most 100. */
export function paginate<T>(all: readonly T[], query: URLSearchParams): Page<T> {
  const size = readPositiveInt(query, 'page[size]', 20);
  const number = readPositiveInt(query, 'page[number]', 1);
  if (size > 100) {
    throw new ApiError(400, [
      {
        status: '400',
        title: 'Invalid page size',
        detail: 'page[size] must be at most 100',
        source: { parameter: 'page[size]' },
      },
    ]);
  }
  const start = (number - 1) * size;
  const items = all.slice(start, start + size);
  const hasMore = start + size < all.length;
  let nextQuery: URLSearchParams | null = null;
  if (hasMore) {
    nextQuery = new URLSearchParams(query);
    nextQuery.set('page[number]', String(number + 1));
    nextQuery.set('page[size]', String(size));
  }
  return { items, hasMore, nextQuery };
}

function readPositiveInt(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new ApiError(400, [
      {
        status: '400',
        title: 'Invalid parameter',
        detail: `${name} must be a positive integer`,
        source: { parameter: name },
      },
    ]);
  }
  return value;
}
