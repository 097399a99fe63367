// The provisioning CLI as an operator runs it: a real process against a real database, one JSON line
// on stdout, and tokens that then work against the server. On PGlite the CLI runs while the server is
// down (one process per data directory); on PostgreSQL it shares TEST_DATABASE_URL with the server.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { globalId, openTestDatabase, TestServer, usingPostgres } from '../helpers/server.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'bff-cli-'));
const pgliteDir = path.join(tmp, 'pglite');
const databaseUrl = process.env.TEST_DATABASE_URL ?? `file:${pgliteDir}`;

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl, DATA_DIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Parses stdout that must be exactly one line of JSON. */
function oneJsonLine(run: CliRun): Record<string, unknown> {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/^[^\n]+\n$/);
  return JSON.parse(run.stdout);
}

/** A server on the CLI's database, for as long as `fn` runs (on PGlite the CLI must not run meanwhile). */
async function withServer<T>(fn: (t: TestServer) => Promise<T>): Promise<T> {
  const database = usingPostgres
    ? await openTestDatabase()
    : await openDatabase({ kind: 'pglite', dataDir: pgliteDir });
  const t = await TestServer.start({ database });
  try {
    return await fn(t);
  } finally {
    await t.server.stop();
    await database.close();
  }
}

const VIEWER = '{ viewer { user { id email role } team { id name } } }';
type ViewerData = {
  viewer: { user: { id: string; email: string; role: string }; team: { id: string; name: string } };
};

const unique = Math.random().toString(36).slice(2, 10);
const adminEmail = `Admin-${unique}@Example.com`;
const memberEmail = `member-${unique}@example.com`;
let team: { teamId: string; userId: string; token: string };
let member: { userId: string; token: string };

describe('the provisioning CLI', () => {
  it('create-team prints one JSON line with teamId, userId and token', async () => {
    const out = oneJsonLine(await cli('create-team', '--name', 'CLI team', '--admin-email', adminEmail));
    expect(Object.keys(out).sort()).toEqual(['teamId', 'token', 'userId']);
    expect(out.teamId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.userId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.token).toMatch(/^ppb_[\w-]{40,}$/);
    team = out as typeof team;
  });

  it('create-user prints one JSON line with userId and token', async () => {
    const out = oneJsonLine(
      await cli('create-user', '--team', team.teamId, '--email', memberEmail, '--role', 'member'),
    );
    expect(Object.keys(out).sort()).toEqual(['token', 'userId']);
    expect(out.token).not.toBe(team.token);
    member = out as typeof member;
  });

  it('prints tokens that work against a server on the same database', async () => {
    await withServer(async (t) => {
      const admin = await t.gql<ViewerData>(VIEWER, {}, team.token);
      expect(admin.errors).toBeUndefined();
      expect(admin.data?.viewer).toEqual({
        user: { id: globalId('User', team.userId), email: adminEmail.toLowerCase(), role: 'ADMIN' },
        team: { id: globalId('Team', team.teamId), name: 'CLI team' },
      });
      const res = await t.gql<ViewerData>(VIEWER, {}, member.token);
      expect(res.data?.viewer.user).toEqual({
        id: globalId('User', member.userId),
        email: memberEmail,
        role: 'MEMBER',
      });
      expect(res.data?.viewer.team.id).toBe(globalId('Team', team.teamId));
    });
  });

  it('list-teams prints one JSON line per team with its id and admin emails, and recovers a lost admin token', async () => {
    const run = await cli('list-teams');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const teams = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { teamId: string; name: string; adminEmails: string[] });
    // On a shared PostgreSQL database other files' teams are listed too: find ours by id.
    const ours = teams.find((listed) => listed.teamId === team.teamId);
    expect(ours).toMatchObject({ name: 'CLI team', adminEmails: [adminEmail.toLowerCase()] });
    expect(run.stdout).not.toMatch(/ppb_/); // lists, never tokens

    // The documented recovery: a new admin on the listed team gets a working token.
    const recovered = oneJsonLine(
      await cli('create-user', '--team', ours!.teamId, '--email', 'rescue@cli.example', '--role', 'admin'),
    );
    await withServer(async (t) => {
      const res = await t.gql<ViewerData>(VIEWER, {}, String(recovered.token));
      expect(res.data?.viewer.user.role).toBe('ADMIN');
      expect(res.data?.viewer.team.id).toBe(globalId('Team', team.teamId));
    });
  });

  it('revoke-token makes the token fail with UNAUTHENTICATED and leaves others working', async () => {
    expect(oneJsonLine(await cli('revoke-token', '--token', member.token))).toEqual({ revoked: true });
    await withServer(async (t) => {
      const revoked = await t.gql(VIEWER, {}, member.token);
      expect(revoked.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect((await t.gql(VIEWER, {}, team.token)).errors).toBeUndefined();
    });
  });

  it.each([
    ['a missing flag', ['create-team', '--admin-email', 'a@b.co'], /Missing --name/],
    [
      'a bad email',
      ['create-team', '--name', 'X', '--admin-email', 'not-an-email'],
      /--admin-email Enter a valid email address/,
    ],
    [
      'a bad role',
      [
        'create-user',
        '--team',
        '00000000-0000-4000-8000-000000000000',
        '--email',
        'm@b.co',
        '--role',
        'owner',
      ],
      /--role must be admin or member/,
    ],
    [
      'an unknown team',
      [
        'create-user',
        '--team',
        '00000000-0000-4000-8000-000000000000',
        '--email',
        'm@b.co',
        '--role',
        'member',
      ],
      /No team with id 00000000-0000-4000-8000-000000000000/,
    ],
    ['an unknown command', ['create-teams', '--name', 'X'], /Unknown command "create-teams"[\s\S]*Usage:/],
    [
      'a token that matches no active token',
      ['revoke-token', '--token', 'ppb_never-issued'],
      /No active token matches/,
    ],
  ])(
    'rejects %s with a non-zero exit, a message on stderr and nothing on stdout',
    async (_case, args, message) => {
      const run = await cli(...(args as string[]));
      expect(run.code).not.toBe(0);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(message as RegExp);
      expect(run.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    },
  );
});
