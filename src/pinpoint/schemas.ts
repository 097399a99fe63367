// zod schemas for the JSON:API documents Pinpoint returns. Deliberately loose about what we do not
// read (extra keys pass, unknown attributes are ignored) and strict about what we rely on.
import { z } from 'zod';

/** Ids are strings in JSON:API; accept a number defensively and turn it into a string. */
export const idSchema = z.union([z.string().min(1), z.number().int()]).transform((id) => String(id));

export const identifierSchema = z.object({ type: z.string(), id: idSchema });
export type ResourceIdentifier = z.infer<typeof identifierSchema>;

const relationshipSchema = z.object({
  data: z.union([identifierSchema, z.array(identifierSchema), z.null()]).optional(),
});

export const resourceSchema = z.object({
  type: z.string(),
  id: idSchema,
  attributes: z.record(z.string(), z.unknown()).optional().default({}),
  relationships: z.record(z.string(), relationshipSchema).optional().default({}),
});
export type Resource = z.infer<typeof resourceSchema>;

const linksSchema = z
  .object({ next: z.string().nullish() })
  .partial()
  .nullish()
  .transform((links) => links ?? {});

export const singleDocumentSchema = z.object({
  data: resourceSchema,
  included: z.array(resourceSchema).optional().default([]),
});
export type SingleDocument = z.infer<typeof singleDocumentSchema>;

/** Items are checked one by one by the client, so that one unreadable record can be skipped. */
export const listDocumentSchema = z.object({
  data: z.array(z.unknown()),
  included: z.array(resourceSchema).optional().default([]),
  links: linksSchema.optional().transform((links) => links ?? {}),
});
export type ListDocument = z.infer<typeof listDocumentSchema>;

const optionalText = z
  .string()
  .nullish()
  .transform((value) => value ?? null);

export const jobAttributesSchema = z.object({
  title: z.string(),
  status: optionalText,
});

export const stageAttributesSchema = z.object({
  name: z.string(),
  position: z.number().nullish(),
});

export const customFieldAttributesSchema = z.object({
  label: z.string(),
  /** Absent: `varchar`, the only documented value type. */
  field_type: z
    .string()
    .nullish()
    .transform((t) => t ?? 'varchar'),
  resource_type: z.string(),
});

/** Personal attributes shared by candidates and applications. */
export const personAttributesSchema = z.object({
  first_name: optionalText,
  last_name: optionalText,
  email: optionalText,
  phone: optionalText,
  phone_iso2: optionalText,
  linkedin_url: optionalText,
  address1: optionalText,
  address2: optionalText,
  town: optionalText,
  country: optionalText,
  postcode: optionalText,
  date_of_birth: optionalText,
});

/** Tags may come as names or as objects; we keep the names. */
export const tagsSchema = z
  .array(
    z.union([
      z.string(),
      z.object({ name: z.string() }).transform((tag) => tag.name),
      z.object({ tag: z.string() }).transform((tag) => tag.tag),
    ]),
  )
  .nullish()
  .transform((tags) => tags ?? []);

export const applicationAttributesSchema = personAttributesSchema.extend({ tags: tagsSchema });

export const customAttributeValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const commentAttributesSchema = z.object({ body_text: z.string() });

/** JSON:API error document; everything optional because we parse it defensively. */
export const errorDocumentSchema = z.object({
  errors: z.array(
    z
      .object({
        status: z.union([z.string(), z.number()]).nullish(),
        code: z.string().nullish(),
        title: z.string().nullish(),
        detail: z.string().nullish(),
        source: z.object({ pointer: z.string().nullish(), parameter: z.string().nullish() }).nullish(),
        meta: z.object({ attribute: z.string().nullish(), message: z.string().nullish() }).nullish(),
      })
      .loose(),
  ),
});
export type ErrorDocument = z.infer<typeof errorDocumentSchema>;
