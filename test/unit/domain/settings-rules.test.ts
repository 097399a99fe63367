// Settings validation rules: a table per rule, including the resource-type cases the Pinpoint
// catalog never lists (job fields), plus properties over random mappings.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FIELD_MAPPINGS, TEAM_SETTINGS_DEFAULTS } from '../../../src/domain/settings.js';
import {
  type CustomFieldCatalog,
  dedupe,
  fieldMappingIssues,
  needsCustomFieldCatalog,
  tagFieldKeyIssues,
  teamSettingsIssues,
} from '../../../src/domain/settings-rules.js';
import { CONTACT_VARIABLES, type ContactVariable } from '../../../src/domain/types.js';

const CATALOG: CustomFieldCatalog = [
  { key: 'custom:1', resourceType: 'candidate' },
  { key: 'custom:2', resourceType: 'application' },
  { key: 'custom:3', resourceType: 'job' },
];

const paths = (issues: readonly { path: readonly string[] }[]) => issues.map((i) => i.path.join('.'));

describe('tagFieldKeyIssues', () => {
  it.each([
    ['job', CATALOG, true],
    ['stage', CATALOG, true],
    ['tags', CATALOG, true],
    ['custom:1', CATALOG, true],
    ['custom:2', CATALOG, true],
    ['custom:3', CATALOG, false],
    ['custom:9', CATALOG, false],
    ['custom:1', null, false],
    ['custom:', CATALOG, false],
    ['phone', CATALOG, false],
    ['', CATALOG, false],
    ['JOB', CATALOG, false],
  ] as const)('%s with %j is accepted: %s', (key, catalog, ok) => {
    const issues = tagFieldKeyIssues(['job', key], catalog, ['input', 'displayedFields']);
    expect(paths(issues)).toEqual(ok ? [] : ['input.displayedFields.1']);
  });

  it('says to connect Pinpoint for a custom key when the catalog is unknown', () => {
    const [issue] = tagFieldKeyIssues(['custom:1'], null, ['x']);
    expect(issue?.message).toMatch(/connect Pinpoint/);
  });

  it('names the resource type of a custom field that cannot be tagged', () => {
    const [issue] = tagFieldKeyIssues(['custom:3'], CATALOG, ['x']);
    expect(issue?.message).toMatch(/job records/);
  });
});

describe('teamSettingsIssues', () => {
  const merged = (displayedFields: string[], mandatoryFields: string[]) => ({
    displayedFields,
    mandatoryFields,
  });

  it('accepts the defaults', () => {
    expect(teamSettingsIssues({}, TEAM_SETTINGS_DEFAULTS, CATALOG)).toEqual([]);
  });

  it('blames the mandatory entry when the update gives mandatory fields', () => {
    const issues = teamSettingsIssues(
      { mandatoryFields: ['job', 'tags', 'tags'] },
      merged(['job', 'stage'], ['job', 'tags']),
      CATALOG,
    );
    expect(paths(issues)).toEqual(['input.mandatoryFields.1']);
  });

  it('blames the displayed list when only it changed', () => {
    const issues = teamSettingsIssues({ displayedFields: ['stage'] }, merged(['stage'], ['job']), CATALOG);
    expect(paths(issues)).toEqual(['input.displayedFields']);
  });

  it('does not re-check stored keys the update leaves alone (a custom field deleted in Pinpoint)', () => {
    expect(teamSettingsIssues({}, merged(['job', 'custom:77'], ['job']), CATALOG)).toEqual([]);
  });

  it('holds mandatory ⊆ displayed exactly when it reports nothing, for any lists of valid keys', () => {
    const key = fc.constantFrom('job', 'stage', 'tags', 'custom:1', 'custom:2');
    fc.assert(
      fc.property(fc.array(key), fc.array(key), (displayed, mandatory) => {
        const issues = teamSettingsIssues(
          { displayedFields: displayed, mandatoryFields: mandatory },
          merged(dedupe(displayed), dedupe(mandatory)),
          CATALOG,
        );
        expect(issues.length === 0).toBe(mandatory.every((m) => displayed.includes(m)));
      }),
    );
  });
});

describe('fieldMappingIssues', () => {
  const withEmail = (pinpointField: string, variable: ContactVariable) => [
    { pinpointField: 'email', variable: 'EMAIL' as const },
    { pinpointField, variable },
  ];

  it('accepts the default mapping without a catalog', () => {
    expect(fieldMappingIssues(DEFAULT_FIELD_MAPPINGS, null)).toEqual([]);
  });

  it.each([
    ['first_name', 'FIRST_NAME', true],
    ['last_name', 'FIRST_NAME', false],
    ['phone', 'PHONE', true],
    ['phone', 'COMPANY', false],
    ['linkedin_url', 'LINKEDIN_URL', true],
    ['custom:1', 'COMPANY', true],
    ['custom:2', 'COMPANY', false],
    ['custom:1', 'JOB_TITLE', true],
    ['first_name', 'JOB_TITLE', false],
    ['custom:2', 'JOB_TITLE', false],
    ['address1', 'LOCATION', true],
    ['town', 'LOCATION', true],
    ['country', 'LOCATION', true],
    ['postcode', 'LOCATION', true],
    ['address2', 'LOCATION', false],
    ['custom:1', 'LOCATION', true],
    ['custom:2', 'LOCATION', false],
    ['custom:2', 'PHONE', true],
    ['custom:3', 'PHONE', false],
    ['custom:9', 'PHONE', false],
    ['town', 'PHONE', false],
    ['salary', 'PHONE', false],
  ] as const)('%s ← %s is accepted: %s', (field, variable, ok) => {
    expect(paths(fieldMappingIssues(withEmail(field, variable), CATALOG))).toEqual(
      ok ? [] : ['input.1.pinpointField'],
    );
  });

  it('refuses custom fields when Pinpoint is not connected', () => {
    const [issue] = fieldMappingIssues(withEmail('custom:1', 'COMPANY'), null);
    expect(issue?.message).toMatch(/connect Pinpoint/);
  });

  it('refuses a second mapping of the same Pinpoint field, naming the first', () => {
    const issues = fieldMappingIssues(
      [...DEFAULT_FIELD_MAPPINGS, { pinpointField: 'first_name', variable: 'FIRST_NAME' }],
      null,
    );
    expect(paths(issues)).toEqual(['input.5.pinpointField']);
    expect(issues[0]?.message).toMatch(/entry 0/);
  });

  it('lets one variable feed several Pinpoint fields', () => {
    const mapping = [
      ...withEmail('town', 'LOCATION'),
      { pinpointField: 'custom:1', variable: 'LOCATION' as const },
    ];
    expect(fieldMappingIssues(mapping, CATALOG)).toEqual([]);
  });

  it('requires EMAIL → email whatever else is mapped', () => {
    for (const variable of CONTACT_VARIABLES) {
      const issues = fieldMappingIssues([{ pinpointField: 'custom:1', variable }], CATALOG);
      expect(paths(issues)).toContain('input');
    }
    expect(paths(fieldMappingIssues([], null))).toEqual(['input']);
  });

  it('never accepts a mapping that maps a Pinpoint field twice or lacks EMAIL → email', () => {
    const entry = fc.record({
      pinpointField: fc.constantFrom('email', 'first_name', 'phone', 'town', 'custom:1', 'custom:2'),
      variable: fc.constantFrom(...CONTACT_VARIABLES),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 8 }), (mapping) => {
        const accepted = fieldMappingIssues(mapping, CATALOG).length === 0;
        if (!accepted) return;
        const fields = mapping.map((m) => m.pinpointField);
        expect(new Set(fields).size).toBe(fields.length);
        expect(mapping).toContainEqual({ pinpointField: 'email', variable: 'EMAIL' });
      }),
    );
  });
});

describe('needsCustomFieldCatalog and dedupe', () => {
  it('asks for the catalog only when a custom key is present', () => {
    expect(needsCustomFieldCatalog(['job', 'stage', 'phone'])).toBe(false);
    expect(needsCustomFieldCatalog(['job', 'custom:4'])).toBe(true);
  });

  it('keeps first occurrences in order', () => {
    expect(dedupe(['b', 'a', 'b', 'c', 'a'])).toEqual(['b', 'a', 'c']);
  });
});
