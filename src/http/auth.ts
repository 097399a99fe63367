// Turns an Authorization value (HTTP header or WebSocket connectionParams) into a viewer.
import { authenticateToken, bearerToken, type Viewer } from '../app/tokens.js';
import type { Services } from '../services.js';

export type AuthOutcome = { kind: 'anonymous' } | { kind: 'viewer'; viewer: Viewer } | { kind: 'rejected' };

/** Missing → anonymous (only public fields such as introspection work); bad, unknown or revoked → rejected. */
export async function authenticate(
  db: Services['database']['db'],
  authorization: unknown,
): Promise<AuthOutcome> {
  const token = bearerToken(authorization);
  if (token === null) return { kind: 'anonymous' };
  if (token === 'malformed') return { kind: 'rejected' };
  const viewer = await authenticateToken(db, token);
  return viewer ? { kind: 'viewer', viewer } : { kind: 'rejected' };
}
