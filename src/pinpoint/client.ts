// The Pinpoint ATS client: one object per company (domain + API key) exposing the operations the
// sync needs. Every response is zod-checked; every failure is a typed PinpointError.
import type { z } from 'zod';
import {
  ADD_TAGS_ATTRIBUTE,
  API_PREFIX,
  APPLICATION_INCLUDES,
  customAttributeValueKey,
  FILTERS,
  INCLUDES,
  PAGINATION,
} from './api-assumptions.js';
import { normalizePinpointDomain } from './domain.js';
import { type PinpointCallInfo, PinpointListTooLongError, PinpointResponseError } from './errors.js';
import {
  personAttributesToApi,
  ShapeError,
  toApplication,
  toCandidate,
  toComment,
  toCustomField,
  toJob,
} from './mappers.js';
import { listDocumentSchema, type Resource, resourceSchema, singleDocumentSchema } from './schemas.js';
import {
  type HttpResult,
  type PinpointCallObserver,
  type PinpointLogger,
  scrub,
  send,
  type TransportOptions,
} from './transport.js';
import type {
  CreateApplicationInput,
  CreateCommentInput,
  ListJobsOptions,
  PinpointApplication,
  PinpointCandidate,
  PinpointComment,
  PinpointCustomField,
  PinpointJob,
  UpdateApplicationInput,
  UpdateCandidateInput,
} from './types.js';

export const DEFAULT_PINPOINT_BASE_URL = 'https://{domain}.pinpointhq.com';

export interface PinpointClientOptions {
  /** e.g. `https://{domain}.pinpointhq.com`, or `http://127.0.0.1:4010/{domain}` for the simulator. */
  readonly baseUrlTemplate: string;
  /** Any form `normalizePinpointDomain` accepts; anything else throws at construction. */
  readonly domain: string;
  readonly apiKey: string;
  readonly connectTimeoutMs: number;
  /** Whole exchange, connect included. */
  readonly timeoutMs: number;
  readonly logger?: PinpointLogger;
  readonly userAgent?: string;
  /** Aborting it cancels every request of this client that is in flight or not yet sent. */
  readonly signal?: AbortSignal;
  /** Told about every finished HTTP call (the composition root passes the metrics observer). */
  readonly onCall?: PinpointCallObserver;
}

export interface PinpointClient {
  readonly domain: string;
  readonly baseUrl: string;
  /** One cheap authenticated call (GET /jobs, one item). Resolves when key and domain work. */
  verify(): Promise<void>;
  listJobs(options?: ListJobsOptions): Promise<PinpointJob[]>;
  getJob(id: string): Promise<PinpointJob>;
  listCustomFields(): Promise<PinpointCustomField[]>;
  /** Records whose email equals `email` case-insensitively; more than one means ambiguous. */
  findCandidatesByEmail(email: string): Promise<PinpointCandidate[]>;
  getCandidate(id: string): Promise<PinpointCandidate>;
  updateCandidate(id: string, input: UpdateCandidateInput): Promise<PinpointCandidate>;
  createApplication(input: CreateApplicationInput): Promise<PinpointApplication>;
  getApplication(id: string): Promise<PinpointApplication>;
  updateApplication(id: string, input: UpdateApplicationInput): Promise<PinpointApplication>;
  /**
   * The job's applications. `complete: true` throws PinpointListTooLongError rather than answer
   * part of a list longer than `maxPages` pages (use it before deciding something does not exist).
   */
  listApplicationsForJob(
    jobId: string,
    options?: { complete?: boolean; maxPages?: number },
  ): Promise<PinpointApplication[]>;
  createComment(input: CreateCommentInput): Promise<PinpointComment>;
}

type Query = Record<string, string | number>;

export function createPinpointClient(options: PinpointClientOptions): PinpointClient {
  const domain = normalizePinpointDomain(options.domain);
  if (domain === null) throw new TypeError('createPinpointClient: the domain is not a valid Pinpoint domain');
  if (!options.baseUrlTemplate.includes('{domain}')) {
    throw new TypeError('createPinpointClient: baseUrlTemplate must contain {domain}');
  }
  const baseUrl = options.baseUrlTemplate.replaceAll('{domain}', domain).replace(/\/+$/, '');
  const apiRoot = new URL(`${baseUrl}${API_PREFIX}/`);
  const transport: TransportOptions = {
    domain,
    apiKey: options.apiKey,
    connectTimeoutMs: options.connectTimeoutMs,
    timeoutMs: options.timeoutMs,
    userAgent: options.userAgent ?? 'pinpoint-bff',
    logger: options.logger,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onCall ? { onCall: options.onCall } : {}),
  };

  const urlFor = (path: string, query: Query = {}): URL => {
    const url = new URL(`${apiRoot.href}${path.replace(/^\//, '')}`);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, String(value));
    return url;
  };

  /** Parses and validates a 2xx body, turning any mismatch into a PinpointResponseError. */
  const decode = <S extends z.ZodType, T>(result: HttpResult, schema: S, map: (doc: z.output<S>) => T): T => {
    const fail = (issues: readonly string[]) => {
      const call: PinpointCallInfo = result.call;
      return new PinpointResponseError(
        scrub(
          `Pinpoint answered ${call.method} ${call.path} for "${domain}" with data this client does not understand (${issues.slice(0, 3).join('; ')}).`,
          options.apiKey,
        ),
        call,
        result.status,
        issues,
      );
    };
    let json: unknown;
    try {
      json = JSON.parse(result.text);
    } catch {
      throw fail(['body: not JSON']);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw fail(parsed.error.issues.map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.message}`));
    }
    try {
      return map(parsed.data);
    } catch (error) {
      if (error instanceof ShapeError) throw fail(error.issues);
      throw error;
    }
  };

  const getOne = async <T>(path: string, query: Query, map: (data: Resource, included: Resource[]) => T) =>
    decode(await send(transport, 'GET', urlFor(path, query)), singleDocumentSchema, (doc) =>
      map(doc.data, doc.included),
    );

  const write = async <T>(
    method: 'POST' | 'PUT',
    path: string,
    body: unknown,
    map: (data: Resource, included: Resource[]) => T,
    query: Query = {},
  ) =>
    decode(await send(transport, method, urlFor(path, query), body), singleDocumentSchema, (doc) =>
      map(doc.data, doc.included),
    );

  /** Follows `links.next` when it stays on our API root; otherwise pages by number until a short page. */
  const getAll = async <T>(
    path: string,
    query: Query,
    map: (data: Resource, included: Resource[]) => T,
    limits: { pageSize?: number; maxPages?: number; complete?: boolean; skipUnreadable?: boolean } = {},
  ): Promise<T[]> => {
    const pageSize = Math.min(
      Math.max(1, Math.floor(limits.pageSize ?? PAGINATION.maxPageSize)),
      PAGINATION.maxPageSize,
    );
    const maxPages = limits.maxPages ?? PAGINATION.defaultMaxPages;
    const results: T[] = [];
    let pageNumber: number = PAGINATION.firstPage;
    let url = urlFor(path, {
      ...query,
      [PAGINATION.numberParam]: pageNumber,
      [PAGINATION.sizeParam]: pageSize,
    });
    const seen = new Set<string>();
    for (let page = 1; page <= maxPages; page++) {
      seen.add(url.href);
      const result = await send(transport, 'GET', url);
      const doc = decode(result, listDocumentSchema, (d) => ({
        items: d.data.flatMap((raw, index) =>
          readItem(raw, index, `${apiRoot.pathname}${path}`, limits.skipUnreadable === true, (r) =>
            map(r, d.included),
          ),
        ),
        next: d.links.next,
        count: d.data.length,
      }));
      results.push(...doc.items);
      const next = nextPageUrl(doc.next);
      if (next) {
        if (seen.has(next.href)) break;
        url = next;
      } else {
        if (doc.count < pageSize) return results;
        pageNumber += 1;
        url = urlFor(path, {
          ...query,
          [PAGINATION.numberParam]: pageNumber,
          [PAGINATION.sizeParam]: pageSize,
        });
      }
      if (page === maxPages) {
        if (limits.complete) {
          throw new PinpointListTooLongError(
            { method: 'GET', path: `${apiRoot.pathname}${path}`, outcomeUnknown: false },
            maxPages,
          );
        }
        options.logger?.warn(
          { path: `${apiRoot.pathname}${path}`, maxPages },
          'pinpoint pagination stopped at maxPages',
        );
      }
    }
    return results;
  };

  /**
   * One list item, checked on its own. With `skip`, an unreadable one is logged (type, id and
   * what was wrong, never its values) and left out; without, it fails the whole call.
   */
  const readItem = <T>(
    raw: unknown,
    index: number,
    path: string,
    skip: boolean,
    map: (r: Resource) => T,
  ): T[] => {
    let issues: readonly string[];
    const parsed = resourceSchema.safeParse(raw);
    if (parsed.success) {
      try {
        return [map(parsed.data)];
      } catch (error) {
        if (!(error instanceof ShapeError)) throw error;
        issues = error.issues;
      }
    } else {
      issues = parsed.error.issues.map((i) => `data.${index}.${i.path.map(String).join('.')}: ${i.message}`);
    }
    if (!skip) throw new ShapeError(issues);
    options.logger?.warn(
      { path, index, id: parsed.success ? parsed.data.id : null, issues: issues.slice(0, 5) },
      'pinpoint record skipped: unreadable',
    );
    return [];
  };

  const nextPageUrl = (next: string | null | undefined): URL | null => {
    if (!next) return null;
    let url: URL;
    try {
      url = new URL(next, apiRoot);
    } catch {
      return null;
    }
    // Never send the key to another host, whatever the server links to.
    return url.origin === apiRoot.origin && url.pathname.startsWith(apiRoot.pathname) ? url : null;
  };

  const encodeId = (id: string) => encodeURIComponent(id);
  const application = (resource: Resource, included: Resource[]) =>
    toApplication(resource, included, baseUrl);

  return {
    domain,
    baseUrl,

    async verify() {
      await decode(
        await send(
          transport,
          'GET',
          urlFor('jobs', { [PAGINATION.numberParam]: 1, [PAGINATION.sizeParam]: 1 }),
        ),
        listDocumentSchema,
        () => undefined,
      );
    },

    listJobs(opts = {}) {
      return getAll('jobs', { include: INCLUDES.jobStages }, toJob, { ...opts, skipUnreadable: true });
    },

    getJob(id) {
      return getOne(`jobs/${encodeId(id)}`, { include: INCLUDES.jobStages }, toJob);
    },

    listCustomFields() {
      return getAll('custom_fields', {}, toCustomField, { skipUnreadable: true });
    },

    async findCandidatesByEmail(email) {
      const wanted = email.trim().toLowerCase();
      const found = await getAll('candidates', { [FILTERS.candidateEmail]: email.trim() }, toCandidate, {
        maxPages: 5,
      });
      // The filter's matching rules are not documented: only exact (case-insensitive) matches count.
      return found.filter((candidate) => candidate.email?.trim().toLowerCase() === wanted);
    },

    getCandidate(id) {
      return getOne(
        `candidates/${encodeId(id)}`,
        { include: INCLUDES.candidateCustomAttributes },
        toCandidate,
      );
    },

    updateCandidate(id, input) {
      const relationshipData: Record<string, unknown>[] = [];
      const included: Record<string, unknown>[] = [];
      (input.customAttributes ?? []).forEach((custom, index) => {
        const ref = custom.existingAttributeId
          ? { type: 'custom_attributes', id: custom.existingAttributeId, method: 'update' }
          : { type: 'custom_attributes', 'temp-id': `t${index + 1}`, method: 'create' };
        relationshipData.push(ref);
        const { method: _method, ...identity } = ref;
        included.push({
          ...identity,
          attributes: { [customAttributeValueKey(custom.fieldType)]: custom.value },
          relationships: { custom_field: { data: { type: 'custom_fields', id: custom.customFieldId } } },
        });
      });
      const data: Record<string, unknown> = { id, type: 'candidates' };
      if (input.attributes) data.attributes = personAttributesToApi(input.attributes);
      if (relationshipData.length > 0) data.relationships = { custom_attributes: { data: relationshipData } };
      const body = included.length > 0 ? { data, included } : { data };
      return write('PUT', `candidates/${encodeId(id)}`, body, toCandidate, {
        include: INCLUDES.candidateCustomAttributes,
      });
    },

    createApplication(input) {
      const attributes: Record<string, unknown> = {
        ...personAttributesToApi(input.attributes),
        skip_notifications_on_create: input.skipNotificationsOnCreate,
      };
      if (input.tags && input.tags.length > 0) attributes[ADD_TAGS_ATTRIBUTE] = input.tags;
      const relationships: Record<string, unknown> = { job: { data: { type: 'jobs', id: input.jobId } } };
      if (input.stageId) relationships.stage = { data: { type: 'stages', id: input.stageId } };
      return write(
        'POST',
        'applications',
        { data: { type: 'applications', attributes, relationships } },
        application,
      );
    },

    getApplication(id) {
      return getOne(`applications/${encodeId(id)}`, { include: APPLICATION_INCLUDES.join(',') }, application);
    },

    updateApplication(id, input) {
      const attributes: Record<string, unknown> = input.attributes
        ? personAttributesToApi(input.attributes)
        : {};
      if (input.addTags && input.addTags.length > 0) attributes[ADD_TAGS_ATTRIBUTE] = input.addTags;
      const data: Record<string, unknown> = { id, type: 'applications', attributes };
      if (input.stageId) data.relationships = { stage: { data: { type: 'stages', id: input.stageId } } };
      return write('PUT', `applications/${encodeId(id)}`, { data }, application);
    },

    listApplicationsForJob(jobId, opts = {}) {
      return getAll(
        'applications',
        { [FILTERS.applicationJobId]: jobId, include: INCLUDES.applicationCandidate },
        application,
        opts,
      );
    },

    createComment(input) {
      return write(
        'POST',
        'comments',
        {
          data: {
            type: 'comments',
            attributes: { body_text: input.bodyText },
            relationships: {
              commentable: { data: { type: input.commentable.type, id: input.commentable.id } },
            },
          },
        },
        toComment,
      );
    },
  };
}
