import { describe, expect, it } from 'vitest';
import { type AtsReading, type AtsState, decideAtsUpdate } from '../../../src/domain/ats.js';

const unknown: AtsState = {
  stageId: null,
  stageName: null,
  outcome: null,
  updatedAt: null,
  outreachStopped: false,
  outreachStoppedReason: null,
};
const now = new Date('2026-11-30T12:00:00Z');
const at = (minute: number) => new Date(Date.UTC(2026, 10, 30, 10, minute));
const reading = (r: Partial<AtsReading>): AtsReading => ({
  stageId: '1',
  stageName: 'Applied',
  outcome: 'ACTIVE',
  changedAt: at(0),
  ...r,
});

describe('decideAtsUpdate', () => {
  it('records the first answer as a stage, without an outcome event for an active application', () => {
    const d = decideAtsUpdate({ current: unknown, reading: reading({}), now, stopOutreach: true });
    expect(d.changes.map((c) => c.kind)).toEqual(['ATS_STAGE_CHANGED']);
    expect(d.next).toMatchObject({ stageName: 'Applied', outcome: 'ACTIVE', updatedAt: at(0) });
  });

  it('changes nothing when Pinpoint answers what we already hold (a duplicate delivery)', () => {
    const first = decideAtsUpdate({ current: unknown, reading: reading({}), now, stopOutreach: true });
    const again = decideAtsUpdate({ current: first.next!, reading: reading({}), now, stopOutreach: true });
    expect(again).toEqual({ next: null, changes: [] });
  });

  it('never moves a contact back to an answer older than the one it holds', () => {
    const current = {
      ...unknown,
      stageId: '3',
      stageName: 'Interview',
      outcome: 'ACTIVE' as const,
      updatedAt: at(5),
    };
    const d = decideAtsUpdate({ current, reading: reading({ changedAt: at(1) }), now, stopOutreach: true });
    expect(d).toEqual({ next: null, changes: [] });
  });

  it('stops outreach on a final outcome when the team setting is on, with one outcome event', () => {
    const current = {
      ...unknown,
      stageId: '1',
      stageName: 'Applied',
      outcome: 'ACTIVE' as const,
      updatedAt: at(0),
    };
    const d = decideAtsUpdate({
      current,
      reading: reading({ outcome: 'REJECTED', changedAt: at(2) }),
      now,
      stopOutreach: true,
    });
    expect(d.changes.map((c) => c.kind)).toEqual(['ATS_OUTCOME']);
    expect(d.next).toMatchObject({ outcome: 'REJECTED', outreachStopped: true });
    expect(d.next?.outreachStoppedReason).toContain('rejected');
  });

  it('leaves outreach alone on a final outcome when the team setting is off', () => {
    const d = decideAtsUpdate({
      current: unknown,
      reading: reading({ stageId: '5', stageName: 'Hired', outcome: 'HIRED' }),
      now,
      stopOutreach: false,
    });
    expect(d.changes.map((c) => c.kind)).toEqual(['ATS_STAGE_CHANGED', 'ATS_OUTCOME']);
    expect(d.next).toMatchObject({ outcome: 'HIRED', outreachStopped: false, outreachStoppedReason: null });
  });

  it('lets outreach resume when an ended application is active again', () => {
    const current: AtsState = {
      ...unknown,
      stageId: '1',
      outcome: 'REJECTED',
      updatedAt: at(0),
      outreachStopped: true,
      outreachStoppedReason: 'Pinpoint marked the application rejected on 2026-11-30.',
    };
    const d = decideAtsUpdate({ current, reading: reading({ changedAt: at(3) }), now, stopOutreach: true });
    expect(d.next).toMatchObject({ outcome: 'ACTIVE', outreachStopped: false, outreachStoppedReason: null });
  });

  it('keeps the stored outcome when Pinpoint names none we know, and dates a change without a time by now', () => {
    const current = { ...unknown, stageId: '1', outcome: 'HIRED' as const, updatedAt: at(0) };
    const d = decideAtsUpdate({
      current,
      reading: reading({ stageId: '2', stageName: 'Offer', outcome: null, changedAt: null }),
      now,
      stopOutreach: true,
    });
    expect(d.changes.map((c) => c.kind)).toEqual(['ATS_STAGE_CHANGED']);
    expect(d.next).toMatchObject({ outcome: 'HIRED', updatedAt: now });
  });
});
