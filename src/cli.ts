// Provisioning CLI: `npm run cli -- <command> [--flags]`; each command prints one JSON line.
import { parseArgs } from 'node:util';
import { asc } from 'drizzle-orm';
import { createTeam, createUser } from './app/teams.js';
import { revokeToken } from './app/tokens.js';
import { ConfigError, loadConfig } from './config.js';
import { type Db, openDatabase } from './db/client.js';
import { DataDirLockedError } from './db/data-dir-lock.js';
import { migrateDatabase } from './db/migrate.js';
import { teamsTable, usersTable } from './db/schema.js';
import { NotFoundError, ValidationError } from './errors.js';

const USAGE = `Usage:
  npm run cli -- create-team --name <name> --admin-email <email>
  npm run cli -- create-user --team <teamId> --email <email> --role admin|member
  npm run cli -- revoke-token --token <token or token id>
  npm run cli -- list-teams

Lost the admin token? list-teams shows each team's id and admins; then
  npm run cli -- create-user --team <teamId> --email <you> --role admin
prints a new admin token.`;

const COMMANDS = ['create-team', 'create-user', 'revoke-token', 'list-teams'];

/** Every team, oldest first, with its admins' emails: how an operator finds a team id again. */
async function listTeams(db: Db) {
  const teams = await db.select().from(teamsTable).orderBy(asc(teamsTable.createdAt), asc(teamsTable.id));
  const users = await db.select().from(usersTable).orderBy(asc(usersTable.createdAt));
  return teams.map((team) => ({
    teamId: team.id,
    name: team.name,
    createdAt: team.createdAt,
    adminEmails: users.filter((u) => u.teamId === team.id && u.role === 'ADMIN').map((u) => u.email),
  }));
}

class UsageError extends Error {}

/** Names a use case's input field as the flag the operator typed. */
function flagFor(field: string): string {
  const flags: Record<string, string> = { adminEmail: '--admin-email', teamId: '--team' };
  return flags[field] ?? `--${field}`;
}

function required(values: Record<string, string | undefined>, name: string): string {
  const value = values[name];
  if (!value) throw new UsageError(`Missing --${name}`);
  return value;
}

async function run(argv: string[]): Promise<unknown> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      'admin-email': { type: 'string' },
      team: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      token: { type: 'string' },
    },
    strict: true,
  });
  if (!command || !COMMANDS.includes(command)) {
    throw new UsageError(command ? `Unknown command "${command}"` : 'No command given');
  }
  const role = values.role?.toUpperCase();
  if (command === 'create-user' && role !== 'ADMIN' && role !== 'MEMBER') {
    throw new UsageError('--role must be admin or member');
  }
  const config = loadConfig();
  const database = await openDatabase(config.database);
  try {
    await migrateDatabase(database);
    switch (command) {
      case 'list-teams':
        return await listTeams(database.db);
      case 'create-team':
        return await createTeam(database.db, {
          name: required(values, 'name'),
          adminEmail: required(values, 'admin-email'),
        });
      case 'create-user':
        return await createUser(database.db, {
          teamId: required(values, 'team'),
          email: required(values, 'email'),
          role: role as 'ADMIN' | 'MEMBER',
        });
      default: {
        const revoked = await revokeToken(database.db, required(values, 'token'));
        if (!revoked) throw new NotFoundError('No active token matches');
        return { revoked: true };
      }
    }
  } finally {
    await database.close();
  }
}

try {
  const result = await run(process.argv.slice(2));
  // list-teams prints one JSON line per team (none for no team); the others print one line.
  const lines = Array.isArray(result) ? result : [result];
  process.stdout.write(lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
} catch (error) {
  let message: string;
  if (error instanceof UsageError) message = `${error.message}\n${USAGE}`;
  else if (error instanceof ValidationError)
    message = `${error.message}: ${error.fieldErrors.map((f) => `${flagFor(f.path.join('.'))} ${f.message}`).join('; ')}`;
  else if (
    error instanceof NotFoundError ||
    error instanceof ConfigError ||
    error instanceof DataDirLockedError
  )
    message = error.message;
  else if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
    message = `${error.message}\n${USAGE}`;
  else if (error instanceof Error && /lock|already in use|EBUSY/i.test(error.message))
    message = 'The embedded database is in use: stop the server first (or use DATABASE_URL=postgres://…).';
  else message = `Unexpected error: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exitCode = 1;
}
