import { describe, expect, it } from 'vitest';
import { AUDIT_TARGET_OF, auditChanges, isSecretField } from '../../../src/domain/audit.js';
import { AUDIT_ACTIONS, AUDIT_TARGETS } from '../../../src/domain/types.js';

describe('auditChanges', () => {
  it('keeps only the fields whose value differs, both sides with the same keys', () => {
    expect(
      auditChanges(
        { status: 'CONNECTED', domain: 'acme', apiKeyHint: '••••abcd', lists: ['job'] },
        { status: 'ERROR', domain: 'acme', apiKeyHint: '••••abcd', lists: ['job', 'stage'] },
      ),
    ).toEqual({
      before: { status: 'CONNECTED', lists: ['job'] },
      after: { status: 'ERROR', lists: ['job', 'stage'] },
    });
  });

  it('writes dates as ISO text and a missing or undefined value as null', () => {
    const at = new Date('2026-11-30T12:00:00.000Z');
    expect(auditChanges({ connectedAt: undefined }, { connectedAt: at, domain: 'acme' })).toEqual({
      before: { connectedAt: null, domain: null },
      after: { connectedAt: '2026-11-30T12:00:00.000Z', domain: 'acme' },
    });
  });

  it('answers no change for equal snapshots', () => {
    expect(auditChanges({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual({ before: {}, after: {} });
  });

  it('refuses a snapshot that names a secret, even unchanged', () => {
    for (const field of ['apiKey', 'apiKeySealed', 'webhookSecret', 'webhookSecretSealed', 'secret']) {
      expect(isSecretField(field), field).toBe(true);
      expect(() => auditChanges({ [field]: 'x' }, { [field]: 'x' }), field).toThrow(/secret field/);
    }
    for (const field of ['apiKeyHint', 'webhookSecretHint', 'webhookSecretSetAt', 'status']) {
      expect(isSecretField(field), field).toBe(false);
    }
  });
});

describe('AUDIT_TARGET_OF', () => {
  it('gives every action a target of the vocabulary', () => {
    expect(Object.keys(AUDIT_TARGET_OF)).toEqual([...AUDIT_ACTIONS]);
    for (const target of Object.values(AUDIT_TARGET_OF)) expect(AUDIT_TARGETS).toContain(target);
  });
});
