// What Pinpoint says about an application, applied to a campaign contact: which fields change, which
// sync events that makes (one per real change) and whether outreach stops. Pure: no I/O, no clock.
import type { AtsOutcome, WebhookStatus } from './types.js';

/** The application as Pinpoint answers it now (a webhook is only a hint to look). */
export interface AtsReading {
  readonly stageId: string | null;
  readonly stageName: string | null;
  /** Null when Pinpoint's answer names no outcome we know: the stored one is kept. */
  readonly outcome: AtsOutcome | null;
  /** Pinpoint's own time of the application's last change, when it sends one. */
  readonly changedAt: Date | null;
}

/** What a campaign contact holds about its application; every field null until Pinpoint told us. */
export interface AtsState {
  readonly stageId: string | null;
  readonly stageName: string | null;
  readonly outcome: AtsOutcome | null;
  readonly updatedAt: Date | null;
  readonly outreachStopped: boolean;
  readonly outreachStoppedReason: string | null;
}

export interface AtsChange {
  readonly kind: 'ATS_STAGE_CHANGED' | 'ATS_OUTCOME';
  readonly message: string;
}

export interface AtsDecision {
  /** The new state, or null when nothing changed (a duplicate, or an older answer than ours). */
  readonly next: AtsState | null;
  readonly changes: readonly AtsChange[];
}

const ENDED: ReadonlySet<AtsOutcome> = new Set(['HIRED', 'REJECTED', 'WITHDRAWN']);

/** True for the outcomes after which nobody should keep messaging the person. */
export function isFinalAtsOutcome(outcome: AtsOutcome | null): boolean {
  return outcome !== null && ENDED.has(outcome);
}

function sameStage(state: AtsState, reading: AtsReading): boolean {
  if (reading.stageId !== null || state.stageId !== null) return reading.stageId === state.stageId;
  return reading.stageName === state.stageName;
}

const OUTCOME_WORDS: Readonly<Record<AtsOutcome, string>> = {
  ACTIVE: 'active again',
  HIRED: 'hired',
  REJECTED: 'rejected',
  WITHDRAWN: 'withdrawn',
};

function stageLabel(reading: AtsReading): string {
  return reading.stageName ?? (reading.stageId ? `stage ${reading.stageId}` : 'an unnamed stage');
}

/**
 * Applies Pinpoint's current answer to the stored state. An answer older than what we hold (by
 * Pinpoint's own change time) changes nothing, so a late re-read can never move a contact back; an
 * unknown outcome keeps the stored one. `now` dates a change Pinpoint sent no time for.
 */
export function decideAtsUpdate(input: {
  current: AtsState;
  reading: AtsReading;
  now: Date;
  /** The team's `stopOutreachOnAtsOutcome` setting. */
  stopOutreach: boolean;
}): AtsDecision {
  const { current, reading, now, stopOutreach } = input;
  const known = current.outcome !== null;
  if (known && reading.changedAt && current.updatedAt && reading.changedAt < current.updatedAt) {
    return { next: null, changes: [] };
  }
  const outcome = reading.outcome ?? current.outcome ?? 'ACTIVE';
  const stageMoved = !known || !sameStage(current, reading);
  // Unknown until now reads as ACTIVE: a first answer of "active" is no outcome change.
  const outcomeChanged = outcome !== (current.outcome ?? 'ACTIVE');
  if (!stageMoved && !outcomeChanged && known) return { next: null, changes: [] };

  const changes: AtsChange[] = [];
  const stage = stageLabel(reading);
  if (stageMoved && (reading.stageId !== null || reading.stageName !== null)) {
    changes.push({
      kind: 'ATS_STAGE_CHANGED',
      message: known
        ? `Pinpoint moved the application to ${stage}.`
        : `Pinpoint has the application at ${stage}.`,
    });
  }
  let outreachStopped = current.outreachStopped;
  let outreachStoppedReason = current.outreachStoppedReason;
  if (outcomeChanged) {
    let message = `Pinpoint marked the application ${OUTCOME_WORDS[outcome]} (${stage}).`;
    if (stopOutreach && isFinalAtsOutcome(outcome)) {
      outreachStopped = true;
      outreachStoppedReason = `Pinpoint marked the application ${OUTCOME_WORDS[outcome]} on ${(reading.changedAt ?? now).toISOString().slice(0, 10)}.`;
      message += ' Outreach stopped.';
    } else if (stopOutreach && outcome === 'ACTIVE' && current.outreachStopped) {
      outreachStopped = false;
      outreachStoppedReason = null;
      message += ' Outreach may resume.';
    }
    changes.push({ kind: 'ATS_OUTCOME', message });
  }
  return {
    next: {
      stageId: reading.stageId,
      stageName: reading.stageName,
      outcome,
      updatedAt: reading.changedAt ?? now,
      outreachStopped,
      outreachStoppedReason,
    },
    changes,
  };
}

/**
 * Whether the admin's webhook setup works: NOT_CONFIGURED without a signing secret; RECEIVING when a
 * delivery arrived within `silentAfterMs`; SILENT when none did for that long since the secret was
 * set while contacts are linked (something Pinpoint should be telling us about); else WAITING.
 */
export function webhookStatusOf(input: {
  secretSetAt: Date | null;
  lastWebhookAt: Date | null;
  hasLinkedContacts: boolean;
  now: Date;
  silentAfterMs: number;
}): WebhookStatus {
  const { secretSetAt, lastWebhookAt, hasLinkedContacts, now, silentAfterMs } = input;
  if (!secretSetAt) return 'NOT_CONFIGURED';
  const recent = (at: Date | null) => at !== null && now.getTime() - at.getTime() < silentAfterMs;
  if (recent(lastWebhookAt)) return 'RECEIVING';
  if (hasLinkedContacts && !recent(secretSetAt)) return 'SILENT';
  return 'WAITING';
}
