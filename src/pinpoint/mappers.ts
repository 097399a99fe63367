// Converts JSON:API resources to the client's camelCase shapes and back (attribute names only).
import type { z } from 'zod';
import {
  APPLICATION_ADMIN_PATH,
  APPLICATION_OUTCOME_ATTRIBUTES,
  APPLICATION_OUTCOME_TIMESTAMPS,
  APPLICATION_OUTCOME_VALUES,
  APPLICATION_STAGE_NAME_ATTRIBUTE,
  APPLICATION_UPDATED_AT_ATTRIBUTE,
  CUSTOM_FIELD_ATTRIBUTES,
  STAGE_NAME_ATTRIBUTES,
} from './api-assumptions.js';
import { PERSON_ATTRIBUTE_NAMES } from './attributes.js';
import {
  applicationAttributesSchema,
  commentAttributesSchema,
  customAttributeValueSchema,
  customFieldAttributesSchema,
  jobAttributesSchema,
  personAttributesSchema,
  type Resource,
  type ResourceIdentifier,
  stageAttributesSchema,
} from './schemas.js';
import type {
  CustomAttributeValue,
  PersonAttributesInput,
  PinpointApplication,
  PinpointCandidate,
  PinpointComment,
  PinpointCustomAttribute,
  PinpointCustomField,
  PinpointJob,
  PinpointOutcome,
  PinpointPerson,
  PinpointStage,
} from './types.js';

/** Thrown while mapping; the client turns it into a PinpointResponseError with call details. */
export class ShapeError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`unexpected response shape: ${issues.join('; ')}`);
  }
}

function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ShapeError(
    result.error.issues.map((issue) => `${[where, ...issue.path.map(String)].join('.')}: ${issue.message}`),
  );
}

function relatedOne(resource: Resource, name: string): ResourceIdentifier | null {
  const data = resource.relationships[name]?.data;
  return data && !Array.isArray(data) ? data : null;
}

function relatedMany(resource: Resource, name: string): ResourceIdentifier[] | null {
  const data = resource.relationships[name]?.data;
  return Array.isArray(data) ? data : null;
}

/** Related ids from the relationship, else an `<name>_id` attribute some APIs send instead. */
function relatedId(resource: Resource, name: string): string | null {
  const fromRelationship = relatedOne(resource, name)?.id;
  if (fromRelationship) return fromRelationship;
  const attribute = resource.attributes[`${name}_id`];
  return typeof attribute === 'string' || typeof attribute === 'number' ? String(attribute) : null;
}

function toPerson(attributes: z.output<typeof personAttributesSchema>): PinpointPerson {
  return {
    firstName: attributes.first_name,
    lastName: attributes.last_name,
    email: attributes.email,
    phone: attributes.phone,
    phoneIso2: attributes.phone_iso2,
    linkedinUrl: attributes.linkedin_url,
    address1: attributes.address1,
    address2: attributes.address2,
    town: attributes.town,
    country: attributes.country,
    postcode: attributes.postcode,
    dateOfBirth: attributes.date_of_birth,
  };
}

/** Snake-cases the given attributes, dropping `undefined` so omitted keys stay untouched. */
export function personAttributesToApi(
  input: PersonAttributesInput & { summary?: string },
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const apiKey = key === 'summary' ? 'summary' : PERSON_ATTRIBUTE_NAMES[key as keyof PersonAttributesInput];
    if (apiKey) out[apiKey] = value;
  }
  return out;
}

/**
 * For attributes whose names are assumed: `attributes` with the first present alternative copied
 * under the canonical name, so the strict schema reads whichever one Pinpoint sent.
 */
function withAlternatives(
  attributes: Record<string, unknown>,
  names: Readonly<Record<string, readonly string[]>>,
): Record<string, unknown> {
  const out = { ...attributes };
  for (const alternatives of Object.values(names)) {
    const [canonical] = alternatives;
    const found = alternatives.find((name) => attributes[name] !== undefined && attributes[name] !== null);
    if (canonical && found) out[canonical] = attributes[found];
  }
  return out;
}

function toStage(resource: Resource): PinpointStage {
  const attributes = parse(
    stageAttributesSchema,
    withAlternatives(resource.attributes, { name: STAGE_NAME_ATTRIBUTES }),
    `stages[${resource.id}]`,
  );
  return { id: resource.id, name: attributes.name, position: attributes.position ?? null };
}

export function toJob(resource: Resource, included: readonly Resource[]): PinpointJob {
  const attributes = parse(jobAttributesSchema, resource.attributes, `jobs[${resource.id}]`);
  const stageResources = included.filter((r) => r.type === 'stages');
  const linked = relatedMany(resource, 'stages');
  // Without linkage we fall back to stages that point back at the job.
  const stages = linked
    ? linked.flatMap((ref) => stageResources.filter((s) => s.id === ref.id))
    : stageResources.filter((s) => relatedId(s, 'job') === resource.id);
  const mapped = stages.map(toStage);
  if (mapped.every((s) => s.position !== null)) mapped.sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
  return { id: resource.id, title: attributes.title, status: attributes.status, stages: mapped };
}

export function toCustomField(resource: Resource): PinpointCustomField {
  const a = parse(
    customFieldAttributesSchema,
    withAlternatives(resource.attributes, CUSTOM_FIELD_ATTRIBUTES),
    `custom_fields[${resource.id}]`,
  );
  return { id: resource.id, label: a.label, fieldType: a.field_type, resourceType: a.resource_type };
}

function toCustomAttribute(resource: Resource): PinpointCustomAttribute {
  const customFieldId = relatedId(resource, 'custom_field');
  if (!customFieldId) throw new ShapeError([`custom_attributes[${resource.id}]: no custom_field`]);
  // The value sits under a type-specific `<type>_value` attribute; take the first one present.
  let value: CustomAttributeValue = null;
  for (const [key, raw] of Object.entries(resource.attributes)) {
    if (!key.endsWith('_value') || raw === null || raw === undefined) continue;
    value = parse(customAttributeValueSchema, raw, `custom_attributes[${resource.id}].${key}`);
    break;
  }
  return { id: resource.id, customFieldId, value };
}

export function toCandidate(resource: Resource, included: readonly Resource[]): PinpointCandidate {
  const attributes = parse(personAttributesSchema, resource.attributes, `candidates[${resource.id}]`);
  const customResources = included.filter((r) => r.type === 'custom_attributes');
  const linked = relatedMany(resource, 'custom_attributes');
  const custom = linked
    ? linked.flatMap((ref) => customResources.filter((r) => r.id === ref.id))
    : customResources.filter((r) => relatedId(r, 'candidate') === resource.id);
  return { id: resource.id, ...toPerson(attributes), customAttributes: custom.map(toCustomAttribute) };
}

function readOutcome(attributes: Record<string, unknown>): PinpointOutcome | null {
  for (const name of APPLICATION_OUTCOME_ATTRIBUTES) {
    const value = attributes[name];
    const key = typeof value === 'string' ? value.trim().toLowerCase() : '';
    // Own keys only: a status of `constructor` must not read Object.prototype.
    const known = Object.hasOwn(APPLICATION_OUTCOME_VALUES, key)
      ? APPLICATION_OUTCOME_VALUES[key]
      : undefined;
    if (known) return known;
  }
  for (const [outcome, names] of Object.entries(APPLICATION_OUTCOME_TIMESTAMPS)) {
    if (names.some((name) => typeof attributes[name] === 'string')) return outcome as PinpointOutcome;
  }
  return null;
}

function readStage(resource: Resource, included: readonly Resource[]): PinpointApplication['stage'] {
  const id = relatedId(resource, 'stage');
  if (!id) return null;
  const stage = included.find((r) => r.type === 'stages' && r.id === id);
  const names = [
    ...STAGE_NAME_ATTRIBUTES.map((name) => stage?.attributes[name]),
    resource.attributes[APPLICATION_STAGE_NAME_ATTRIBUTE],
  ];
  const name = names.find((n): n is string => typeof n === 'string' && n.trim() !== '');
  return { id, name: name ?? null };
}

/** `baseUrl` (the company's Pinpoint) makes `pinpointUrl`. */
export function toApplication(
  resource: Resource,
  included: readonly Resource[],
  baseUrl = '',
): PinpointApplication {
  const attributes = parse(applicationAttributesSchema, resource.attributes, `applications[${resource.id}]`);
  const candidateId = relatedId(resource, 'candidate');
  const person = toPerson(attributes);
  // Applications may not repeat the email; the side-loaded candidate has it.
  let email = person.email;
  if (!email && candidateId) {
    const candidate = included.find((r) => r.type === 'candidates' && r.id === candidateId);
    const candidateEmail = candidate?.attributes.email;
    if (typeof candidateEmail === 'string') email = candidateEmail;
  }
  const updatedAt = resource.attributes[APPLICATION_UPDATED_AT_ATTRIBUTE];
  return {
    id: resource.id,
    ...person,
    email,
    jobId: relatedId(resource, 'job'),
    stageId: relatedId(resource, 'stage'),
    stage: readStage(resource, included),
    outcome: readOutcome(resource.attributes),
    updatedAt: typeof updatedAt === 'string' ? updatedAt : null,
    pinpointUrl: `${baseUrl}${APPLICATION_ADMIN_PATH.replace('{id}', encodeURIComponent(resource.id))}`,
    candidateId,
    tags: attributes.tags,
  };
}

export function toComment(resource: Resource): PinpointComment {
  const attributes = parse(commentAttributesSchema, resource.attributes, `comments[${resource.id}]`);
  const commentable = relatedOne(resource, 'commentable');
  return {
    id: resource.id,
    bodyText: attributes.body_text,
    commentable: commentable ? { type: commentable.type, id: commentable.id } : null,
  };
}
