// The application side of the effects, idempotent by look-up before create: link the contact to an
// existing application of the job or create one, then write mapped fields on the candidate.
import type { SyncContext } from '../../db/queries/sync-context.js';
import type { FieldWrite } from '../../domain/sync-actions.js';
import type { FieldValue } from '../../domain/types.js';
import { PinpointListTooLongError } from '../../pinpoint/errors.js';
import type { PersonAttributesInput } from '../../pinpoint/types.js';
import type { CampaignContactPatch } from '../record.js';
import {
  type CustomValue,
  customValues,
  findCandidate,
  PermanentSyncError,
  policiesByAttribute,
  saveLink,
  standardAttributes,
  writeCandidateFields,
} from './candidate.js';
import type { EffectDeps } from './deps.js';

export interface PushAction {
  fieldValues: readonly FieldValue[];
  fields: readonly FieldWrite[];
  suppressNotifications: boolean;
}

export interface PushResult {
  kind: 'CREATED' | 'LINKED';
  candidateId: string;
  applicationId: string;
  message: string;
  /**
   * Remote ids learned but not stored yet: the caller stores them with the SYNCED record, in one
   * statement. Only ever ids learned after the push's last Pinpoint call, so no later remote call
   * of this job can fail before they are stored.
   */
  unsavedLink: Pick<CampaignContactPatch, 'pinpointCandidateId' | 'pinpointApplicationId' | 'pinpointJobId'>;
}

export function fieldValue(values: readonly FieldValue[], field: string): FieldValue | undefined {
  return values.find((v) => v.field === field);
}

interface Planned {
  jobId: string;
  stageId: string | undefined;
  tags: { tag: string; context: string }[];
  attributes: PersonAttributesInput;
  custom: CustomValue[];
}

export async function push(deps: EffectDeps, ctx: SyncContext, action: PushAction): Promise<PushResult> {
  const jobId = fieldValue(action.fieldValues, 'job')?.value;
  if (!jobId) throw new PermanentSyncError('No Pinpoint job is tagged for this contact.');
  const stageId = fieldValue(action.fieldValues, 'stage')?.value ?? undefined;
  const tagValues = fieldValue(action.fieldValues, 'tags')?.values ?? [];
  const tags = tagValues.map((tag) => ({ tag, context: `Outreach campaign "${ctx.campaign.name}"` }));
  const attributes = standardAttributes(ctx, action.fields);
  const custom = await customValues(deps, ctx, action.fields, action.fieldValues);
  const planned: Planned = { jobId, stageId, tags, attributes, custom };

  // No candidate linked yet: a look-up by email, then a create or a list of the job's applications.
  if (!ctx.campaignContact.pinpointCandidateId) deps.expectRequests(2);
  const existingCandidateId = await findCandidate(deps, ctx);
  if (existingCandidateId) {
    const linked = await linkExisting(deps, ctx, action, planned, existingCandidateId);
    if (linked) return linked;
  }
  return createApplication(deps, ctx, action, planned, existingCandidateId);
}

/** Links the application the known candidate already has on the job, if any (fields written either way). */
async function linkExisting(
  deps: EffectDeps,
  ctx: SyncContext,
  action: PushAction,
  { jobId, tags, attributes, custom }: Planned,
  existingCandidateId: string,
): Promise<PushResult | null> {
  const { client } = deps;
  // Read whole or not at all: deciding "no application yet" from part of the list could
  // create a duplicate.
  const applications = await client
    .listApplicationsForJob(jobId, { complete: true })
    .catch((error: unknown) => {
      if (error instanceof PinpointListTooLongError) {
        throw new PermanentSyncError(
          'This Pinpoint job has too many applications to check safely for an existing one for this candidate; add the application in Pinpoint by hand.',
        );
      }
      throw error;
    });
  const existing = applications.find(
    (a) =>
      a.candidateId === existingCandidateId ||
      (a.email !== null && a.email.toLowerCase() === ctx.email.toLowerCase()),
  );
  const written = await writeCandidateFields(
    client,
    existingCandidateId,
    attributes,
    policiesByAttribute(action.fields),
    custom,
  );
  if (!existing) return null;
  await saveLink(deps.db, ctx, { pinpointApplicationId: existing.id, pinpointJobId: jobId });
  if (tags.length > 0) await client.updateApplication(existing.id, { addTags: tags });
  return {
    kind: 'LINKED',
    candidateId: existingCandidateId,
    applicationId: existing.id,
    message: `Linked the existing Pinpoint application ${existing.id}${written.length ? `; updated ${written.join(', ')}` : ''}.`,
    unsavedLink: {},
  };
}

async function createApplication(
  deps: EffectDeps,
  ctx: SyncContext,
  action: PushAction,
  { jobId, stageId, tags, attributes, custom }: Planned,
  existingCandidateId: string | null,
): Promise<PushResult> {
  const { db, client } = deps;
  const { firstName, lastName } = ctx.contactData;
  if (!firstName || !lastName) throw new PermanentSyncError('First and last name are required by Pinpoint.');
  const application = await client.createApplication({
    jobId,
    ...(stageId ? { stageId } : {}),
    attributes: { ...attributes, firstName, lastName, email: ctx.email },
    skipNotificationsOnCreate: action.suppressNotifications,
    ...(tags.length > 0 ? { tags } : {}),
  });
  const candidateId = application.candidateId ?? existingCandidateId;
  const writeCustom = candidateId !== null && custom.length > 0 && !existingCandidateId;
  // The candidate link first when custom fields follow: if writing them fails, the retry finds this
  // application by candidate and job, links it and writes the fields then. Without a later call the
  // links go with the SYNCED record (one statement), as a crash before either is the same case.
  if (candidateId && writeCustom) {
    await saveLink(db, ctx, { pinpointCandidateId: candidateId, pinpointJobId: jobId });
    await writeCandidateFields(client, candidateId, {}, new Map(), custom);
  }
  const unsavedLink = {
    ...(candidateId && !writeCustom ? { pinpointCandidateId: candidateId } : {}),
    pinpointApplicationId: application.id,
    pinpointJobId: jobId,
  };
  return {
    kind: 'CREATED',
    candidateId: candidateId ?? '',
    applicationId: application.id,
    message: `Created the Pinpoint application ${application.id}${existingCandidateId ? ' for the existing candidate' : ''}.`,
    unsavedLink,
  };
}

/** Writes mapped fields on the contact's candidate, if Pinpoint has one; answers what was written. */
export async function updateFields(
  deps: EffectDeps,
  ctx: SyncContext,
  fields: readonly FieldWrite[],
): Promise<string[]> {
  const candidateId = await findCandidate(deps, ctx);
  if (!candidateId) return [];
  return writeCandidateFields(
    deps.client,
    candidateId,
    standardAttributes(ctx, fields),
    policiesByAttribute(fields),
    await customValues(deps, ctx, fields, []),
  );
}
