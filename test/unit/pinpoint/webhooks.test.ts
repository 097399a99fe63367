import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  parsePinpointWebhook,
  signPinpointWebhook,
  verifyPinpointWebhook,
} from '../../../src/pinpoint/webhooks.js';

const SECRET = 'whsec_test_secret';
const BODY = '{"event":"application_hired","data":{"application":{"id":"42"}}}';

describe('signPinpointWebhook', () => {
  it('is base64 of HMAC-SHA256 over the raw body, as Pinpoint documents', () => {
    const expected = createHmac('sha256', SECRET).update(BODY).digest('base64');
    expect(signPinpointWebhook(SECRET, BODY)).toBe(expected);
    expect(signPinpointWebhook(SECRET, Buffer.from(BODY))).toBe(expected);
  });
});

describe('verifyPinpointWebhook', () => {
  const good = signPinpointWebhook(SECRET, BODY);

  it('accepts the signature of the exact body, as a string or a buffer', () => {
    expect(verifyPinpointWebhook(SECRET, BODY, good)).toBe(true);
    expect(verifyPinpointWebhook(SECRET, Buffer.from(BODY), ` ${good} `)).toBe(true);
  });

  it('rejects a tampered body, even one that parses to the same JSON', () => {
    expect(verifyPinpointWebhook(SECRET, BODY.replace('42', '43'), good)).toBe(false);
    expect(verifyPinpointWebhook(SECRET, `${BODY} `, good)).toBe(false);
  });

  it('rejects a signature made with another secret', () => {
    expect(verifyPinpointWebhook(SECRET, BODY, signPinpointWebhook('other', BODY))).toBe(false);
  });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['empty', ''],
    ['not base64', '!!!not-base64!!!'],
    ['truncated', good.slice(0, 20)],
    ['too long', `${good}${good}`],
    ['huge', 'A'.repeat(100_000)],
    ['repeated header', [good, good]],
    ['hex instead of base64', createHmac('sha256', SECRET).update(BODY).digest('hex')],
  ])('returns false, without throwing, for a %s header', (_name, header) => {
    expect(verifyPinpointWebhook(SECRET, BODY, header as string | string[] | null | undefined)).toBe(false);
  });

  it('returns false when no secret is configured', () => {
    expect(verifyPinpointWebhook('', BODY, signPinpointWebhook('', BODY))).toBe(false);
  });
});

describe('parsePinpointWebhook', () => {
  it('reads the documented sample', () => {
    expect(parsePinpointWebhook(BODY)).toEqual({
      event: 'application_hired',
      applicationId: '42',
      raw: JSON.parse(BODY),
    });
  });

  it('turns a numeric application id into a string and keeps unknown keys in raw', () => {
    const parsed = parsePinpointWebhook(
      JSON.stringify({ event: 'application_rejected', data: { application: { id: 7, x: 1 } }, extra: true }),
    );
    expect(parsed?.applicationId).toBe('7');
    expect(parsed?.raw).toMatchObject({ extra: true });
  });

  it('reads an unknown event with no application as a hint with nothing to re-read', () => {
    expect(parsePinpointWebhook('{"event":"job_published","data":{"job":{"id":"1"}}}')).toMatchObject({
      event: 'job_published',
      applicationId: null,
    });
  });

  it('reads odd fields as absent instead of failing', () => {
    expect(parsePinpointWebhook('{"event":5,"data":{"application":"x"}}')).toMatchObject({
      event: '',
      applicationId: null,
    });
  });

  it.each(['not json', '[]', '"text"', 'null', ''])(
    'returns null for a body that is no JSON object: %j',
    (b) => {
      expect(parsePinpointWebhook(b)).toBeNull();
    },
  );
});
