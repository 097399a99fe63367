// The audit log's rules: what each admin action is about, and which values an entry keeps (the ones
// that changed, as JSON, never a secret). Pure; the use cases write the entry in their transaction.
import type { AuditAction, AuditTarget } from './types.js';

/** What each action changes: the integration (key, status, webhook secret), the settings, or the mapping. */
export const AUDIT_TARGET_OF: { readonly [A in AuditAction]: AuditTarget } = {
  INTEGRATION_ACTIVATED: 'INTEGRATION',
  API_KEY_ROTATED: 'INTEGRATION',
  INTEGRATION_CHECKED: 'INTEGRATION',
  INTEGRATION_DEACTIVATED: 'INTEGRATION',
  WEBHOOK_SECRET_SET: 'INTEGRATION',
  WEBHOOK_SECRET_ROTATED: 'INTEGRATION',
  TEAM_SETTINGS_UPDATED: 'TEAM_SETTINGS',
  FIELD_MAPPINGS_SET: 'FIELD_MAPPINGS',
  FIELD_MAPPINGS_RESET: 'FIELD_MAPPINGS',
};

export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [k: string]: JsonValue };
export type AuditValues = { readonly [field: string]: JsonValue };

/**
 * Field names that would hold a secret (a key or signing secret, plain or sealed). Snapshots are
 * built from picked fields; this refuses one that names a secret, so a later edit cannot leak one.
 */
const SECRET_FIELD = /(^apiKey|^secret|Secret|Sealed)$/;

export function isSecretField(field: string): boolean {
  return SECRET_FIELD.test(field);
}

function toJson(value: unknown): JsonValue {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as JsonValue);
}

/**
 * The fields whose value differs between two snapshots of the same thing, as JSON (dates as ISO
 * text), each side holding the same keys in the order `after` lists them. Throws on a secret field.
 */
export function auditChanges(before: object, after: object): { before: AuditValues; after: AuditValues } {
  const was: Readonly<Record<string, unknown>> = { ...before };
  const is: Readonly<Record<string, unknown>> = { ...after };
  const changedBefore: Record<string, JsonValue> = {};
  const changedAfter: Record<string, JsonValue> = {};
  for (const field of new Set([...Object.keys(is), ...Object.keys(was)])) {
    if (isSecretField(field)) throw new Error(`audit snapshot names a secret field: ${field}`);
    const from = toJson(was[field]);
    const to = toJson(is[field]);
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    changedBefore[field] = from;
    changedAfter[field] = to;
  }
  return { before: changedBefore, after: changedAfter };
}
