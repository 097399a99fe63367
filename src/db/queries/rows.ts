// Row types of the read model and the id guard every team-scoped read applies first.
import type {
  campaignContactsTable,
  campaignsTable,
  contactsTable,
  integrationsTable,
  teamsTable,
  usersTable,
} from '../schema.js';

export type TeamRow = typeof teamsTable.$inferSelect;
export type UserRow = typeof usersTable.$inferSelect;
export type ContactRow = typeof contactsTable.$inferSelect;
export type CampaignRow = typeof campaignsTable.$inferSelect;
export type CampaignContactRow = typeof campaignContactsTable.$inferSelect;
export type IntegrationRow = typeof integrationsTable.$inferSelect;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Keeps only well-formed UUIDs, so a forged id never reaches SQL as a type error. */
export function uuidsOnly(ids: readonly string[]): string[] {
  return ids.filter((id) => UUID.test(id));
}

export function isUuid(id: string): boolean {
  return UUID.test(id);
}
