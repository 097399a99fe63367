// Applications: a candidate on a job, created, read, moved between stages and tagged.
import { ADD_TAGS_ATTRIBUTE, APPLICATION_INCLUDES, FILTERS, INCLUDES } from '../api-assumptions.js';
import { personAttributesToApi, toApplication } from '../mappers.js';
import type { Resource } from '../schemas.js';
import type { CreateApplicationInput, PinpointApplication, UpdateApplicationInput } from '../types.js';
import { type ClientContext, encodeId, getOne, write } from './context.js';
import { getAll } from './pagination.js';

export interface ApplicationOperations {
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
}

export function applicationOperations(ctx: ClientContext): ApplicationOperations {
  const application = (resource: Resource, included: Resource[]) =>
    toApplication(resource, included, ctx.baseUrl);
  return {
    createApplication(input) {
      return write(ctx, 'POST', 'applications', applicationCreateBody(input), application);
    },

    getApplication(id) {
      return getOne(
        ctx,
        `applications/${encodeId(id)}`,
        { include: APPLICATION_INCLUDES.join(',') },
        application,
      );
    },

    updateApplication(id, input) {
      return write(ctx, 'PUT', `applications/${encodeId(id)}`, applicationUpdateBody(id, input), application);
    },

    listApplicationsForJob(jobId, opts = {}) {
      return getAll(
        ctx,
        'applications',
        { [FILTERS.applicationJobId]: jobId, include: INCLUDES.applicationCandidate },
        application,
        opts,
      );
    },
  };
}

function applicationCreateBody(input: CreateApplicationInput): Record<string, unknown> {
  const attributes: Record<string, unknown> = {
    ...personAttributesToApi(input.attributes),
    skip_notifications_on_create: input.skipNotificationsOnCreate,
  };
  if (input.tags && input.tags.length > 0) attributes[ADD_TAGS_ATTRIBUTE] = input.tags;
  const relationships: Record<string, unknown> = { job: { data: { type: 'jobs', id: input.jobId } } };
  if (input.stageId) relationships.stage = { data: { type: 'stages', id: input.stageId } };
  return { data: { type: 'applications', attributes, relationships } };
}

function applicationUpdateBody(id: string, input: UpdateApplicationInput): Record<string, unknown> {
  const attributes: Record<string, unknown> = input.attributes ? personAttributesToApi(input.attributes) : {};
  if (input.addTags && input.addTags.length > 0) attributes[ADD_TAGS_ATTRIBUTE] = input.addTags;
  const data: Record<string, unknown> = { id, type: 'applications', attributes };
  if (input.stageId) data.relationships = { stage: { data: { type: 'stages', id: input.stageId } } };
  return { data };
}
