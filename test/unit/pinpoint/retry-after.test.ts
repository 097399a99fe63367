// parseRetryAfter: the wait Pinpoint asks for, in either of the header's two forms.
import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../../src/pinpoint/retry-after.js';

const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');

describe('parseRetryAfter', () => {
  it('reads delta-seconds as milliseconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an IMF-fixdate as the time left until that date', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:29:30 GMT', now)).toBe(90_000);
  });

  it('reads the obsolete RFC 850 and asctime date forms', () => {
    expect(parseRetryAfter('Wednesday, 21-Oct-15 07:29:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Wed Oct 21 07:29:00 2015', now)).toBe(60_000);
  });

  it('treats a date in the past as no wait at all', () => {
    expect(parseRetryAfter('Tue, 20 Oct 2015 07:28:00 GMT', now)).toBe(0);
  });

  it('accepts a Date as the current time', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', new Date(now))).toBe(10_000);
  });

  it('returns null for a missing or unreadable header', () => {
    for (const value of [
      undefined,
      null,
      '',
      'soon',
      '-5',
      '1.5',
      '12abc',
      '2015-10-21',
      'Wed, 99 Foo 2015 07:28:00 GMT',
    ]) {
      expect(parseRetryAfter(value, now)).toBeNull();
    }
  });
});
