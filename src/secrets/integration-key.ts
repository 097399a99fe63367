// An integration's Pinpoint API key at rest: sealed bound to its team and integration row, and opened
// only to build an outgoing connection (use cases and the sync engine alike).
import type { SecretBox } from './secret-box.js';

/** The associated data a key is sealed with: a ciphertext copied to another row does not open. */
export function sealAad(teamId: string, integrationId: string): string {
  return `team:${teamId}|integration:${integrationId}`;
}

/** Decrypts the stored key for an outgoing call; null when the integration holds no key. */
export function openIntegrationKey(
  secretBox: Pick<SecretBox, 'decrypt'>,
  row: { id: string; teamId: string; domain: string | null; apiKeySealed: string | null },
): { domain: string; apiKey: string } | null {
  if (!row.domain || !row.apiKeySealed) return null;
  return { domain: row.domain, apiKey: secretBox.decrypt(row.apiKeySealed, sealAad(row.teamId, row.id)) };
}
