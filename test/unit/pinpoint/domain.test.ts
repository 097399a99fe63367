// normalizePinpointDomain: every form users paste in becomes a bare label; nothing else gets through.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizePinpointDomain } from '../../../src/pinpoint/domain.js';

describe('normalizePinpointDomain', () => {
  it.each([
    ['acme', 'acme'],
    ['ACME', 'acme'],
    ['  acme  ', 'acme'],
    ['acme.pinpointhq.com', 'acme'],
    ['Acme.PinpointHQ.com', 'acme'],
    ['acme.pinpointhq.com/jobs', 'acme'],
    ['https://acme.pinpointhq.com', 'acme'],
    ['https://acme.pinpointhq.com/jobs', 'acme'],
    ['http://acme.pinpointhq.com/jobs?page=2#top', 'acme'],
    ['\thttps://acme.pinpointhq.com/\n', 'acme'],
    ['https://acme.pinpointhq.com:443/', 'acme'],
    ['my-company-2', 'my-company-2'],
    ['a'.repeat(63), 'a'.repeat(63)],
  ])('accepts %j as %j', (input, expected) => {
    expect(normalizePinpointDomain(input)).toBe(expected);
  });

  it.each([
    '',
    '   ',
    'evil.com',
    'acme.pinpointhq.com.evil.com',
    'https://acme.pinpointhq.com.evil.com/',
    'https://evil.com/acme.pinpointhq.com',
    'www.acme.pinpointhq.com',
    'pinpointhq.com',
    '127.0.0.1',
    'http://127.0.0.1/',
    'http://[::1]/',
    'https://2130706433/',
    'localhost:80',
    'https://localhost/',
    'acme.pinpointhq.com:8443',
    'a@b',
    'https://user@acme.pinpointhq.com/',
    'https://evil.com\\@acme.pinpointhq.com',
    'acme@evil.com',
    'ftp://acme.pinpointhq.com',
    'javascript://acme',
    '-acme',
    'acme-',
    'ac_me',
    'ac me',
    'a'.repeat(64),
    'acme%2eevil.com',
  ])('rejects %j', (input) => {
    expect(normalizePinpointDomain(input)).toBeNull();
  });

  it('only ever returns a single lower-case DNS label, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (input) => {
        const label = normalizePinpointDomain(input);
        return label === null || /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(label);
      }),
      { numRuns: 2000 },
    );
  });

  it('returns the label unchanged for any valid label written in any case', () => {
    const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])?$/);
    fc.assert(
      fc.property(label, (l) => normalizePinpointDomain(`https://${l.toUpperCase()}.pinpointhq.com/x`) === l),
    );
  });
});
