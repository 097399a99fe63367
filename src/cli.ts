// Provisioning CLI: `npm run cli -- <command> [--flags]`; each command prints one JSON line.
import { parseArgs } from 'node:util';
import { createTeam, createUser } from './app/teams.js';
import { revokeToken } from './app/tokens.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/client.js';
import { DataDirLockedError } from './db/data-dir-lock.js';
import { migrateDatabase } from './db/migrate.js';
import { NotFoundError, ValidationError } from './errors.js';

const USAGE = `Usage:
  npm run cli -- create-team --name <name> --admin-email <email>
  npm run cli -- create-user --team <teamId> --email <email> --role admin|member
  npm run cli -- revoke-token --token <token or token id>`;

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
  if (!command || !['create-team', 'create-user', 'revoke-token'].includes(command)) {
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
  process.stdout.write(`${JSON.stringify(result)}\n`);
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
