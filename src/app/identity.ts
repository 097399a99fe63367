// Team-scoped reads of teams and users (batch loads for DataLoaders: every query carries the team).
import { and, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { teamsTable, usersTable } from '../db/schema.js';

export type TeamRow = typeof teamsTable.$inferSelect;
export type UserRow = typeof usersTable.$inferSelect;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Keeps only well-formed UUIDs, so a forged id never reaches SQL as a type error. */
export function uuidsOnly(ids: readonly string[]): string[] {
  return ids.filter((id) => UUID.test(id));
}

export async function loadTeams(
  db: DbOrTx,
  viewerTeamId: string,
  ids: readonly string[],
): Promise<TeamRow[]> {
  // A team can only ever see itself.
  if (!ids.includes(viewerTeamId)) return [];
  return db.select().from(teamsTable).where(eq(teamsTable.id, viewerTeamId));
}

export async function loadUsers(db: DbOrTx, teamId: string, ids: readonly string[]): Promise<UserRow[]> {
  const valid = uuidsOnly(ids);
  if (valid.length === 0) return [];
  return db
    .select()
    .from(usersTable)
    .where(and(eq(usersTable.teamId, teamId), inArray(usersTable.id, valid)));
}
