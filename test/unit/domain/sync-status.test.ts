// Table tests of the sync status rules (src/domain/sync-status.ts): skips, giving up, and how each kind
// of Pinpoint failure ends a job.
import { describe, expect, it } from 'vitest';
import { SKIP_CODES } from '../../../src/domain/sync-actions.js';
import {
  failureRule,
  type PinpointFailureKind,
  statusAfterSkip,
  statusWhenDead,
} from '../../../src/domain/sync-status.js';
import { SYNC_STATUSES } from '../../../src/domain/types.js';

describe('statusAfterSkip', () => {
  it.each([
    ['DO_NOT_SYNC', 'NOT_SYNCED', { syncStatus: 'SKIPPED', lastSyncError: null }],
    ['DO_NOT_SYNC', 'PENDING', { syncStatus: 'SKIPPED', lastSyncError: null }],
    ['DO_NOT_SYNC', 'FAILED', { syncStatus: 'SKIPPED', lastSyncError: null }],
    ['DO_NOT_SYNC', 'SYNCED', {}],
    ['TRIGGER_NOT_REACHED', 'PENDING', { syncStatus: 'NOT_SYNCED' }],
    ['TRIGGER_NOT_REACHED', 'SKIPPED', { syncStatus: 'NOT_SYNCED' }],
    ['TRIGGER_NOT_REACHED', 'FAILED', {}],
    ['TRIGGER_NOT_REACHED', 'SYNCED', {}],
    ['TRIGGER_NEVER', 'PENDING', { syncStatus: 'NOT_SYNCED' }],
    ['TRIGGER_NEVER', 'BLOCKED', {}],
  ] as const)('a %s skip of a %s contact patches %o', (code, current, patch) => {
    expect(statusAfterSkip(code, current)).toEqual(patch);
  });

  it('other skips never change a status', () => {
    const others = SKIP_CODES.filter(
      (c) => !['DO_NOT_SYNC', 'TRIGGER_NOT_REACHED', 'TRIGGER_NEVER'].includes(c),
    );
    for (const code of others)
      for (const status of SYNC_STATUSES) expect(statusAfterSkip(code, status)).toEqual({});
  });
});

describe('statusWhenDead', () => {
  it.each(SYNC_STATUSES.map((s) => [s, s === 'SYNCED' ? 'SYNCED' : 'FAILED'] as const))(
    'a %s contact whose job gave up becomes %s',
    (current, expected) => {
      expect(statusWhenDead(current)).toBe(expected);
    },
  );
});

describe('failureRule', () => {
  it.each([
    ['INVALID_KEY', false, { outcome: 'pause', authReason: 'INVALID_API_KEY' }],
    ['FORBIDDEN', false, { outcome: 'pause', authReason: 'FORBIDDEN' }],
    ['RATE_LIMITED', false, { outcome: 'retry', breaker: false, forgetCandidate: false }],
    ['SERVER', false, { outcome: 'retry', breaker: true, forgetCandidate: false }],
    ['NETWORK', false, { outcome: 'retry', breaker: true, forgetCandidate: false }],
    ['RESPONSE', false, { outcome: 'retry', breaker: true, forgetCandidate: false }],
    ['NOT_FOUND', true, { outcome: 'retry', breaker: false, forgetCandidate: true }],
    ['NOT_FOUND', false, { outcome: 'failed' }],
    ['VALIDATION', false, { outcome: 'failed' }],
    ['BAD_REQUEST', false, { outcome: 'failed' }],
  ] as [PinpointFailureKind, boolean, object][])(
    'a %s failure (on the linked candidate: %s) ends the job as %o',
    (kind, onLinkedCandidate, rule) => {
      expect(failureRule(kind, onLinkedCandidate)).toEqual(rule);
    },
  );
});
