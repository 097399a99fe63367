// What the team's Pinpoint account offers to tag and map: open jobs with stages, and fields
// (standard ones plus the account's candidate/application custom fields). Cached briefly per
// integration and key generation, so settings pages do not call Pinpoint on every render.
import { markIntegrationAuthFailed } from '../db/integration-status.js';
import { PINPOINT_STANDARD_ATTRIBUTES } from '../domain/settings.js';
import { IntegrationNotConnectedError, PinpointUnreachableError } from '../errors.js';
import { createAnswerCache } from '../pinpoint/answer-cache.js';
import { isPinpointError } from '../pinpoint/errors.js';
import type { PinpointCustomField } from '../pinpoint/types.js';
import { openIntegrationKey } from '../secrets/integration-key.js';
import type { Services } from '../services.js';
import { loadConnectedRow } from './integrations.js';

/** A stage of a Pinpoint job's pipeline, as clients see it. */
export interface PinpointStageView {
  readonly id: string;
  readonly name: string;
}

/** An open Pinpoint job with its stages in pipeline order. */
export interface PinpointJobView {
  readonly id: string;
  readonly title: string;
  readonly status: string | null;
  readonly stages: readonly PinpointStageView[];
}

export interface PinpointFieldInfo {
  readonly key: string;
  readonly label: string;
  readonly custom: boolean;
  /** `candidate` or `application` for custom fields and attributes; null for tags (job, stage, tags). */
  readonly resourceType: string | null;
  /** Pinpoint's field type for custom fields (e.g. `string`, `date`); null otherwise. */
  readonly fieldType: string | null;
}

const cache = createAnswerCache({ ttlMs: 60_000, maxEntries: 1000 });

const TAG_FIELD_INFO: readonly PinpointFieldInfo[] = [
  { key: 'job', label: 'Job', custom: false, resourceType: null, fieldType: null },
  { key: 'stage', label: 'Stage', custom: false, resourceType: null, fieldType: null },
  { key: 'tags', label: 'Tags', custom: false, resourceType: null, fieldType: null },
];

const ATTRIBUTE_LABELS: Record<(typeof PINPOINT_STANDARD_ATTRIBUTES)[number], string> = {
  first_name: 'First name',
  last_name: 'Last name',
  email: 'Email',
  phone: 'Phone',
  linkedin_url: 'LinkedIn URL',
  address1: 'Address line 1',
  address2: 'Address line 2',
  town: 'Town',
  postcode: 'Postcode',
  country: 'Country',
};

/** Fields that exist in every Pinpoint account (no call needed). */
export const STANDARD_FIELDS: readonly PinpointFieldInfo[] = [
  ...TAG_FIELD_INFO,
  ...PINPOINT_STANDARD_ATTRIBUTES.map((key) => ({
    key,
    label: ATTRIBUTE_LABELS[key],
    custom: false,
    resourceType: 'candidate',
    fieldType: null,
  })),
];

async function cached<T>(
  services: Services,
  teamId: string,
  what: string,
  load: (client: ReturnType<Services['pinpointClient']>) => Promise<T>,
): Promise<T> {
  const row = await loadConnectedRow(services.database.db, teamId);
  const connection = openIntegrationKey(services.secretBox, row);
  if (!connection) throw new IntegrationNotConnectedError('Pinpoint is not connected.');
  return cache
    .get(`${row.id}:${row.keyGeneration}:${what}`, () => load(services.pinpointClient(connection)))
    .catch(async (error: unknown) => {
      if (!isPinpointError(error)) throw error;
      if (error.kind === 'INVALID_KEY' || error.kind === 'FORBIDDEN') {
        await markIntegrationAuthFailed(
          services.database.db,
          row,
          error.kind === 'INVALID_KEY' ? 'INVALID_API_KEY' : 'FORBIDDEN',
        );
        throw new IntegrationNotConnectedError(
          'Pinpoint no longer accepts the stored API key. A team admin must activate Pinpoint again.',
        );
      }
      services.logger.warn(
        { kind: error.kind, status: error.status, teamId },
        'Pinpoint catalog call failed',
      );
      throw new PinpointUnreachableError('Pinpoint did not answer properly. Try again in a minute.');
    });
}

/** Open jobs with their stages. Throws IntegrationNotConnectedError or PinpointUnreachableError. */
export async function listPinpointJobs(services: Services, teamId: string): Promise<PinpointJobView[]> {
  const jobs = await cached(services, teamId, 'jobs', (client) => client.listJobs());
  return jobs
    .filter((job) => (job.status ?? 'open').toLowerCase() === 'open')
    .map(({ id, title, status, stages }) => ({
      id,
      title,
      status: status ?? null,
      stages: stages.map(({ id, name }) => ({ id, name })),
    }));
}

export async function listPinpointCustomFields(
  services: Services,
  teamId: string,
): Promise<PinpointCustomField[]> {
  return cached(services, teamId, 'custom_fields', (client) => client.listCustomFields());
}

/** Standard fields plus the account's candidate and application custom fields as `custom:<id>`. */
export async function listPinpointFields(services: Services, teamId: string): Promise<PinpointFieldInfo[]> {
  const custom = await listPinpointCustomFields(services, teamId);
  return [
    ...STANDARD_FIELDS,
    ...custom
      .filter((f) => f.resourceType === 'candidate' || f.resourceType === 'application')
      .map((f) => ({
        key: `custom:${f.id}`,
        label: f.label,
        custom: true,
        resourceType: f.resourceType,
        fieldType: f.fieldType,
      })),
  ];
}
