// The status rules of a sync job, pure: what a skip does to a campaign contact's status, what giving
// up does, and how each kind of Pinpoint failure ends a job. The executor only carries them out.
import type { SkipCode } from './sync-actions.js';
import type { PinpointAuthReason, SyncStatus } from './types.js';

/** A change to a campaign contact's sync state (absent keys stay as they are). */
export interface StatusPatch {
  readonly syncStatus?: SyncStatus;
  readonly lastSyncError?: string | null;
}

/**
 * DO_NOT_SYNC marks the contact SKIPPED unless it is already in Pinpoint; a trigger not (or never)
 * reached puts a PENDING or SKIPPED contact back to NOT_SYNCED. Any other skip changes nothing.
 */
export function statusAfterSkip(code: SkipCode, current: SyncStatus): StatusPatch {
  if (code === 'DO_NOT_SYNC')
    return current === 'SYNCED' ? {} : { syncStatus: 'SKIPPED', lastSyncError: null };
  if (
    (code === 'TRIGGER_NOT_REACHED' || code === 'TRIGGER_NEVER') &&
    (current === 'PENDING' || current === 'SKIPPED')
  )
    return { syncStatus: 'NOT_SYNCED' };
  return {};
}

/** A job that gave up leaves a contact already in Pinpoint SYNCED; any other becomes FAILED. */
export function statusWhenDead(current: SyncStatus): SyncStatus {
  return current === 'SYNCED' ? 'SYNCED' : 'FAILED';
}

/** The kinds of Pinpoint failure (src/pinpoint/errors.ts classifies every error as one of them). */
export type PinpointFailureKind =
  | 'INVALID_KEY'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'SERVER'
  | 'NETWORK'
  | 'RESPONSE'
  | 'NOT_FOUND'
  | 'VALIDATION'
  | 'BAD_REQUEST';

/** How a job ends after a Pinpoint failure. */
export type FailureRule =
  /** The key was refused: the integration goes to ERROR and the team's jobs pause. */
  | { readonly outcome: 'pause'; readonly authReason: PinpointAuthReason }
  /** Try again later; `breaker` counts the failure towards opening the integration's breaker. */
  | { readonly outcome: 'retry'; readonly breaker: boolean; readonly forgetCandidate: boolean }
  /** Retrying cannot help: the contact is FAILED until someone changes something and retries. */
  | { readonly outcome: 'failed' };

/**
 * Outages (5xx, network, malformed answers) are retried and count towards the breaker; a rate limit is
 * retried without counting; a 404 on the linked candidate forgets the link and looks it up again; any
 * other 404, a validation error or a malformed request fails the contact.
 */
export function failureRule(kind: PinpointFailureKind, onLinkedCandidate: boolean): FailureRule {
  switch (kind) {
    case 'INVALID_KEY':
      return { outcome: 'pause', authReason: 'INVALID_API_KEY' };
    case 'FORBIDDEN':
      return { outcome: 'pause', authReason: 'FORBIDDEN' };
    case 'RATE_LIMITED':
      return { outcome: 'retry', breaker: false, forgetCandidate: false };
    case 'SERVER':
    case 'NETWORK':
    case 'RESPONSE':
      return { outcome: 'retry', breaker: true, forgetCandidate: false };
    case 'NOT_FOUND':
      return onLinkedCandidate
        ? { outcome: 'retry', breaker: false, forgetCandidate: true }
        : { outcome: 'failed' };
    case 'VALIDATION':
    case 'BAD_REQUEST':
      return { outcome: 'failed' };
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}
