// Turns whatever a user pastes into the "Domain" box into a bare Pinpoint subdomain label.
// Only a single DNS label ever reaches the base URL template, which is what blocks SSRF.

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const PINPOINT_SUFFIX = '.pinpointhq.com';

function labelFromHost(rawHost: string, requireSuffix: boolean): string | null {
  // A single trailing dot is the fully-qualified spelling of the same host.
  const host = rawHost.toLowerCase().replace(/\.$/, '');
  const hasSuffix = host.endsWith(PINPOINT_SUFFIX);
  // In a URL, a bare host (`https://localhost/`) names some other machine, not a Pinpoint company.
  if (requireSuffix && !hasSuffix) return null;
  const label = hasSuffix ? host.slice(0, -PINPOINT_SUFFIX.length) : host;
  return LABEL.test(label) ? label : null;
}

/**
 * Accepts `acme`, `ACME`, `acme.pinpointhq.com`, `https://acme.pinpointhq.com/jobs` (whitespace
 * around is ignored) and returns `acme`; returns null for anything else, including other hosts,
 * IP addresses, ports and user-info.
 */
export function normalizePinpointDomain(input: string): string | null {
  const value = input.trim();
  if (value === '' || value.length > 300) return null;

  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return null;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    if (url.username !== '' || url.password !== '' || url.port !== '') return null;
    return labelFromHost(url.hostname, true);
  }

  // Without a scheme we parse by hand: the WHATWG parser would quietly reinterpret things like
  // `a@b` or `localhost:80`, and a bare label must not be mistaken for an IPv4 number.
  const end = value.search(/[/?#]/);
  const host = end === -1 ? value : value.slice(0, end);
  if (/[^a-z0-9.-]/i.test(host)) return null;
  return labelFromHost(host, false);
}
