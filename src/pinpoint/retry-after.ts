// Parses the HTTP `Retry-After` header so rate-limit waits honour what Pinpoint asked for.

const IMF_FIXDATE = /^[a-z]{3}, \d{2} [a-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/i;
const RFC850_DATE = /^[a-z]+, \d{2}-[a-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT$/i;
const ASCTIME_DATE = /^[a-z]{3} [a-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/i;

/**
 * Milliseconds to wait, from delta-seconds (`120`) or an HTTP-date; 0 for a date already past;
 * null when the header is absent or unreadable (the caller then falls back to its own backoff).
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: Date | number = Date.now(),
): number | null {
  if (value == null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds * 1000) ? seconds * 1000 : null;
  }
  // Date.parse alone accepts far too much ("1", "-5"), so only the three HTTP-date forms pass.
  if (!IMF_FIXDATE.test(text) && !RFC850_DATE.test(text) && !ASCTIME_DATE.test(text)) return null;
  const at = Date.parse(ASCTIME_DATE.test(text) ? `${text} GMT` : text);
  if (Number.isNaN(at)) return null;
  const nowMs = typeof now === 'number' ? now : now.getTime();
  return Math.max(0, at - nowMs);
}
