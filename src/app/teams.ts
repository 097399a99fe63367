// Provisioning use cases: teams and users, each user with a first API token.
import { count, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { teamsTable, usersTable } from '../db/schema.js';
import { issuesToFieldErrors, NotFoundError, ValidationError } from '../errors.js';
import { issueToken, type Role } from './tokens.js';

const teamInput = z.object({
  name: z.string().trim().min(1, 'Team name is required').max(200, 'At most 200 characters'),
  adminEmail: z.email('Enter a valid email address').max(320),
});
const userInput = z.object({
  teamId: z.uuid('Not a team id'),
  email: z.email('Enter a valid email address').max(320),
  role: z.enum(['ADMIN', 'MEMBER']),
});

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError('Invalid input', issuesToFieldErrors(result.error.issues));
  return result.data;
}

export async function createTeam(
  db: Db,
  input: { name: string; adminEmail: string },
): Promise<{ teamId: string; userId: string; token: string }> {
  const { name, adminEmail } = parse(teamInput, input);
  return db.transaction(async (tx) => {
    const [team] = await tx.insert(teamsTable).values({ name }).returning({ id: teamsTable.id });
    const [user] = await tx
      .insert(usersTable)
      .values({ teamId: team!.id, email: adminEmail.toLowerCase(), role: 'ADMIN' })
      .returning({ id: usersTable.id });
    const token = await issueToken(tx, team!.id, user!.id);
    return { teamId: team!.id, userId: user!.id, token };
  });
}

export async function createUser(
  db: Db,
  input: { teamId: string; email: string; role: Role },
): Promise<{ userId: string; token: string }> {
  const { teamId, email, role } = parse(userInput, input);
  return db.transaction(async (tx) => {
    const team = await tx.select({ id: teamsTable.id }).from(teamsTable).where(eq(teamsTable.id, teamId));
    if (team.length === 0) throw new NotFoundError(`No team with id ${teamId}`);
    const inserted = await tx
      .insert(usersTable)
      .values({ teamId, email: email.toLowerCase(), role })
      .onConflictDoNothing()
      .returning({ id: usersTable.id });
    if (inserted.length === 0) {
      throw new ValidationError('A user with this email already exists in the team', [
        { path: ['email'], message: 'Already a member of this team' },
      ]);
    }
    const token = await issueToken(tx, teamId, inserted[0]!.id);
    return { userId: inserted[0]!.id, token };
  });
}

export async function countTeams(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(teamsTable);
  return row?.n ?? 0;
}

/** Serialises first-run seeding across instances sharing one PostgreSQL. */
export async function withSeedLock<T>(db: Db, fn: (db: Db) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(727274002)`);
    return fn(tx as unknown as Db);
  });
}
