// Jobs and their stages, and the cheap call that proves a key and domain work.
import { INCLUDES, PAGINATION } from '../api-assumptions.js';
import { toJob } from '../mappers.js';
import { listDocumentSchema } from '../schemas.js';
import { send } from '../transport.js';
import type { ListJobsOptions, PinpointJob } from '../types.js';
import { type ClientContext, decode, encodeId, getOne, urlFor } from './context.js';
import { getAll } from './pagination.js';

export interface JobOperations {
  /** One cheap authenticated call (GET /jobs, one item). Resolves when key and domain work. */
  verify(): Promise<void>;
  listJobs(options?: ListJobsOptions): Promise<PinpointJob[]>;
  getJob(id: string): Promise<PinpointJob>;
}

export function jobOperations(ctx: ClientContext): JobOperations {
  return {
    async verify() {
      const url = urlFor(ctx, 'jobs', { [PAGINATION.numberParam]: 1, [PAGINATION.sizeParam]: 1 });
      await decode(ctx, await send(ctx.transport, 'GET', url), listDocumentSchema, () => undefined);
    },

    listJobs(opts = {}) {
      return getAll(ctx, 'jobs', { include: INCLUDES.jobStages }, toJob, { ...opts, skipUnreadable: true });
    },

    getJob(id) {
      return getOne(ctx, `jobs/${encodeId(id)}`, { include: INCLUDES.jobStages }, toJob);
    },
  };
}
