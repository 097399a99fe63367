// Validation rules for team settings and the field mapping, as pure functions over the Pinpoint
// fields the team's account has (null when Pinpoint is not connected). Each problem is reported with
// the path of the offending input, so the settings page can show it next to the field.
import { customFieldId, TAG_FIELDS } from './settings.js';
import type { ContactVariable, FieldMapping, TeamSyncSettings } from './types.js';

export interface RuleIssue {
  readonly path: readonly string[];
  readonly message: string;
}

/** What the rules need to know of one custom field of the team's Pinpoint account. */
export interface KnownCustomField {
  /** `custom:<id>`. */
  readonly key: string;
  /** Pinpoint's resource type: `candidate`, `application`, `job`, … */
  readonly resourceType: string | null;
}

/** The account's custom fields; null when Pinpoint is not connected (custom keys cannot be checked). */
export type CustomFieldCatalog = readonly KnownCustomField[] | null;

/** Resource types whose custom fields can be tagged (displayed/mandatory fields). */
const TAGGABLE_RESOURCE_TYPES = ['candidate', 'application'];

/** Where a location may go besides a custom field: Pinpoint's address attributes. */
export const LOCATION_ATTRIBUTES = ['address1', 'town', 'country', 'postcode'] as const;

/** The standard attributes each variable may map to besides a custom field; none for company and job title. */
const STANDARD_ATTRIBUTE_OF: Record<ContactVariable, readonly string[]> = {
  FIRST_NAME: ['first_name'],
  LAST_NAME: ['last_name'],
  EMAIL: ['email'],
  PHONE: ['phone'],
  LINKEDIN_URL: ['linkedin_url'],
  COMPANY: [],
  JOB_TITLE: [],
  LOCATION: LOCATION_ATTRIBUTES,
};

/** Variables without a standard attribute in Pinpoint: their custom fields must be candidate fields. */
const CANDIDATE_ONLY_VARIABLES: readonly ContactVariable[] = ['COMPANY', 'JOB_TITLE', 'LOCATION'];

/** True when any key is a `custom:<id>` key, i.e. checking it needs the Pinpoint catalog. */
export function needsCustomFieldCatalog(keys: readonly string[]): boolean {
  return keys.some((key) => customFieldId(key) !== null);
}

/** Drops repeated values, keeping the first occurrence's position. */
export function dedupe<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/**
 * Why a custom key cannot be used, or null when it names an existing field of an allowed resource
 * type. `purpose` words the message ("tagged", "mapped").
 */
function customFieldProblem(
  key: string,
  catalog: CustomFieldCatalog,
  allowed: readonly string[],
  purpose: string,
): string | null {
  if (catalog === null) {
    return `\`${key}\` is a Pinpoint custom field: connect Pinpoint before using custom fields.`;
  }
  const field = catalog.find((f) => f.key === key);
  if (!field) return `Pinpoint has no custom field \`${key}\`.`;
  if (!field.resourceType || !allowed.includes(field.resourceType)) {
    return `\`${key}\` is a custom field of ${field.resourceType ?? 'unknown'} records; only ${allowed.join(' or ')} fields can be ${purpose}.`;
  }
  return null;
}

/** Problems with a list of field keys users may tag (displayed or mandatory fields). */
export function tagFieldKeyIssues(
  keys: readonly string[],
  catalog: CustomFieldCatalog,
  path: readonly string[],
): RuleIssue[] {
  const issues: RuleIssue[] = [];
  keys.forEach((key, index) => {
    let message: string | null = null;
    if ((TAG_FIELDS as readonly string[]).includes(key)) return;
    if (customFieldId(key) !== null) {
      message = customFieldProblem(key, catalog, TAGGABLE_RESOURCE_TYPES, 'tagged');
    } else {
      message = `Unknown Pinpoint field \`${key}\`: use \`job\`, \`stage\`, \`tags\` or \`custom:<id>\`.`;
    }
    if (message) issues.push({ path: [...path, String(index)], message });
  });
  return issues;
}

/** The settings lists a team settings update may change, as given (before de-duplication). */
export interface TeamFieldListsInput {
  readonly displayedFields?: readonly string[] | undefined;
  readonly mandatoryFields?: readonly string[] | undefined;
}

/**
 * Checks the field lists of a team settings update. Keys are checked only where the update gives
 * them (a custom field deleted in Pinpoint does not block unrelated changes); mandatory ⊆ displayed
 * is checked on the merged result, so changing either list alone cannot break it.
 */
export function teamSettingsIssues(
  input: TeamFieldListsInput,
  merged: Pick<TeamSyncSettings, 'displayedFields' | 'mandatoryFields'>,
  catalog: CustomFieldCatalog,
  path: readonly string[] = ['input'],
): RuleIssue[] {
  const issues: RuleIssue[] = [];
  if (input.displayedFields) {
    issues.push(...tagFieldKeyIssues(input.displayedFields, catalog, [...path, 'displayedFields']));
  }
  if (input.mandatoryFields) {
    issues.push(...tagFieldKeyIssues(input.mandatoryFields, catalog, [...path, 'mandatoryFields']));
  }
  const displayed = new Set(merged.displayedFields);
  for (const key of dedupe(merged.mandatoryFields)) {
    if (displayed.has(key)) continue;
    // Blame the list the caller changed: the mandatory entry if given, else the displayed list.
    const index = input.mandatoryFields?.indexOf(key) ?? -1;
    issues.push(
      index >= 0
        ? {
            path: [...path, 'mandatoryFields', String(index)],
            message: `\`${key}\` is mandatory, so it must also be a displayed field.`,
          }
        : {
            path: [...path, 'displayedFields'],
            message: `Displayed fields must include every mandatory field; \`${key}\` is mandatory.`,
          },
    );
  }
  return issues;
}

/**
 * Checks a whole field mapping: each Pinpoint field at most once; each variable to its standard
 * attribute or a custom field (company, job title and location only to candidate custom fields,
 * location also to an address attribute); EMAIL always mapped to `email`, which Pinpoint requires.
 */
export function fieldMappingIssues(
  mappings: readonly Pick<FieldMapping, 'pinpointField' | 'variable'>[],
  catalog: CustomFieldCatalog,
  path: readonly string[] = ['input'],
): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const firstIndexOf = new Map<string, number>();
  mappings.forEach((mapping, index) => {
    const { pinpointField, variable } = mapping;
    const at = [...path, String(index), 'pinpointField'];
    const earlier = firstIndexOf.get(pinpointField);
    if (earlier !== undefined) {
      issues.push({
        path: at,
        message: `\`${pinpointField}\` is already mapped (entry ${earlier}); a Pinpoint field can be mapped once.`,
      });
      return;
    }
    firstIndexOf.set(pinpointField, index);

    if (customFieldId(pinpointField) !== null) {
      const allowed = CANDIDATE_ONLY_VARIABLES.includes(variable) ? ['candidate'] : TAGGABLE_RESOURCE_TYPES;
      const problem = customFieldProblem(pinpointField, catalog, allowed, `mapped from ${variable}`);
      if (problem) issues.push({ path: at, message: problem });
      return;
    }
    const standard = STANDARD_ATTRIBUTE_OF[variable];
    if (!standard.includes(pinpointField)) {
      const custom = CANDIDATE_ONLY_VARIABLES.includes(variable)
        ? 'a `custom:<id>` candidate field'
        : 'a `custom:<id>` field';
      const choices = [...standard.map((a) => `\`${a}\``), custom].join(', ');
      issues.push({
        path: at,
        message: `${variable} cannot be mapped to \`${pinpointField}\`; it can go to ${choices}.`,
      });
    }
  });
  if (!mappings.some((m) => m.pinpointField === 'email' && m.variable === 'EMAIL')) {
    issues.push({
      path: [...path],
      message: 'EMAIL must stay mapped to `email`: Pinpoint requires an email on every candidate.',
    });
  }
  return issues;
}
