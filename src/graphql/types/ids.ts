// Reads the Relay global ids mutations and queries take: the wrong type, a malformed id and another
// team's id all end up as "not found" (the use case scopes the lookup by team).
import { decodeGlobalID } from '@pothos/plugin-relay';

/** The database id inside a global id of `typename`; '' (matches nothing) when it is not one. */
export function localId(globalId: string, typename: string): string {
  try {
    const decoded = decodeGlobalID(globalId);
    return decoded.typename === typename ? decoded.id : '';
  } catch {
    return '';
  }
}
