// Pinpoint webhook signatures and payloads, pure and dependency-free so that the HTTP endpoint and
// the simulator sign and check with the very same code. Nothing here throws on bad input.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** base64(HMAC-SHA256(secret, rawBody)): the documented `PINPOINT-HMAC-SHA256` header value. */
export function signPinpointWebhook(secret: string, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(rawBody).digest('base64');
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * True only when `header` is the signature of exactly `rawBody` under `secret`. Compared in
 * constant time; false (never a throw) for a missing, repeated, garbled or wrong-length header.
 */
export function verifyPinpointWebhook(
  secret: string,
  rawBody: string | Buffer,
  header: string | readonly string[] | null | undefined,
): boolean {
  if (typeof secret !== 'string' || secret === '') return false;
  if (typeof header !== 'string') return false;
  const given = header.trim();
  if (given.length === 0 || given.length > 128 || !BASE64.test(given)) return false;
  if (typeof rawBody !== 'string' && !Buffer.isBuffer(rawBody)) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const actual = Buffer.from(given, 'base64');
  // timingSafeEqual requires equal lengths; the length of a SHA-256 digest is public anyway.
  if (actual.length !== expected.length) return false;
  return timingSafeEqual(actual, expected);
}

export interface PinpointWebhookPayload {
  /** The event name as sent, e.g. `application_hired`; `''` when the body has none. */
  readonly event: string;
  /** The application the event is about, when the body names one. A hint: re-read it. */
  readonly applicationId: string | null;
  /** The parsed body, for storing as received. */
  readonly raw: unknown;
}

const idSchema = z.union([z.string().min(1), z.number().int()]).transform(String);
const payloadSchema = z.looseObject({
  event: z.string().catch(''),
  data: z
    .looseObject({
      application: z
        .looseObject({ id: idSchema.nullish().catch(null) })
        .nullish()
        .catch(null),
      application_id: idSchema.nullish().catch(null),
    })
    .nullish()
    .catch(null),
  application_id: idSchema.nullish().catch(null),
});

/**
 * Reads a delivery body tolerantly: unknown keys pass, a missing or odd field reads as absent.
 * Null only when the body is not a JSON object at all (the endpoint answers that with 400).
 */
export function parsePinpointWebhook(rawBody: string | Buffer): PinpointWebhookPayload | null {
  let json: unknown;
  try {
    json = JSON.parse(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
  } catch {
    return null;
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return null;
  const parsed = payloadSchema.safeParse(json);
  if (!parsed.success) return { event: '', applicationId: null, raw: json };
  const { event, data, application_id } = parsed.data;
  const applicationId = data?.application?.id ?? data?.application_id ?? application_id ?? null;
  return { event, applicationId, raw: json };
}
