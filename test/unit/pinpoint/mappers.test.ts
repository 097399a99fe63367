import { describe, expect, it } from 'vitest';
import { toApplication, toCustomField } from '../../../src/pinpoint/mappers.js';
import type { Resource } from '../../../src/pinpoint/schemas.js';

function application(attributes: Record<string, unknown>, stageId: string | null = '7'): Resource {
  return {
    type: 'applications',
    id: '9',
    attributes,
    relationships: stageId
      ? { stage: { data: { type: 'stages', id: stageId } }, job: { data: { type: 'jobs', id: '3' } } }
      : {},
  };
}

describe('toApplication reads an outcome under any assumed name', () => {
  it.each([
    [{ status: 'hired' }, 'hired'],
    [{ outcome: 'Rejected' }, 'rejected'],
    [{ state: 'withdrawn' }, 'withdrawn'],
    [{ status: 'in_progress' }, 'active'],
    [{ status: 'something-new', outcome: 'declined' }, 'rejected'],
    [{ hired_at: '2026-11-30T10:00:00Z' }, 'hired'],
    [{ status: 'open', rejected_at: '2026-11-30T10:00:00Z' }, 'active'],
    [{ status: 'mystery' }, null],
    [{ status: 'constructor' }, null],
    [{ status: '__proto__' }, null],
    [{ status: 3 }, null],
    [{}, null],
  ])('%j reads as %s', (attributes, outcome) => {
    expect(toApplication(application(attributes), []).outcome).toBe(outcome);
  });
});

describe('toApplication reads the stage tolerantly', () => {
  it('names the stage from the side-loaded stage', () => {
    const stage: Resource = { type: 'stages', id: '7', attributes: { name: 'Interview' }, relationships: {} };
    expect(toApplication(application({}), [stage]).stage).toEqual({ id: '7', name: 'Interview' });
  });

  it('falls back to a stage_name attribute, then to no name', () => {
    expect(toApplication(application({ stage_name: 'Offer' }), []).stage).toEqual({ id: '7', name: 'Offer' });
    expect(toApplication(application({}), []).stage).toEqual({ id: '7', name: null });
  });

  it('reads a stage_id attribute when there is no relationship, and no stage when neither is there', () => {
    expect(toApplication(application({ stage_id: 8 }, null), []).stage).toEqual({ id: '8', name: null });
    expect(toApplication(application({}, null), []).stage).toBeNull();
  });

  it('builds the admin URL from the base URL and an escaped id', () => {
    const app = { ...application({}), id: 'a/b' };
    expect(toApplication(app, [], 'https://acme.pinpointhq.com').pinpointUrl).toBe(
      'https://acme.pinpointhq.com/admin/applications/a%2Fb',
    );
  });
});

describe('toCustomField', () => {
  it('prefers documented names over alternatives and defaults a missing type to varchar', () => {
    const field: Resource = {
      type: 'custom_fields',
      id: '1',
      attributes: { label: 'Company', name: 'ignored', resource_type: 'candidate' },
      relationships: {},
    };
    expect(toCustomField(field)).toEqual({
      id: '1',
      label: 'Company',
      fieldType: 'varchar',
      resourceType: 'candidate',
    });
  });
});
