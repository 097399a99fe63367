// Starts the real server for a test file: PGlite loaded from the migrated template (or PostgreSQL
// when TEST_DATABASE_URL is set), port 0, logs captured so tests can scan them for secrets.
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import request from 'supertest';
import { createTeam, createUser } from '../../src/app/teams.js';
import { type Config, databaseTargetFromUrl, loadConfig } from '../../src/config.js';
import { type Database, type OpenOptions, openDatabase } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { createGatedExecutor } from '../../src/sync/executor.js';
import { TEMPLATE_PATH } from './paths.js';

export const usingPostgres = Boolean(process.env.TEST_DATABASE_URL);

export async function openTestDatabase(options: OpenOptions = {}): Promise<Database> {
  const url = process.env.TEST_DATABASE_URL;
  if (url) return openDatabase({ ...databaseTargetFromUrl(url, '.data'), poolMax: 5 } as never, options);
  const template = new Blob([readFileSync(TEMPLATE_PATH)]);
  return openDatabase({ kind: 'pglite', dataDir: null }, { ...options, loadDataDir: template });
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'debug', PORT: '0', HOST: '127.0.0.1', ...env });
}

export interface TestTeam {
  readonly teamId: string;
  readonly adminId: string;
  readonly adminToken: string;
  readonly memberId: string;
  readonly memberToken: string;
}

export interface GqlResult<T = Record<string, unknown>> {
  status: number;
  data: T | null | undefined;
  errors: { message: string; extensions?: { code?: string } & Record<string, unknown> }[] | undefined;
  body: Record<string, unknown>;
}

export class TestServer {
  /** Every log line the server wrote, as raw JSON text. */
  readonly logs: string[] = [];
  /**
   * Teams created through this server: its workers claim only their jobs, so test files sharing one
   * PostgreSQL database never run each other's jobs (against the wrong simulator).
   */
  readonly teamIds: string[] = [];
  private constructor(
    readonly server: RunningServer,
    readonly database: Database,
    readonly config: Config,
    private readonly ownsDatabase: boolean,
  ) {}

  static async start(
    options: {
      env?: Record<string, string>;
      database?: Database;
      logs?: string[];
      /** Runs the real outbox workers and executor in this server (concurrency = WORKER_CONCURRENCY). */
      workers?: boolean;
    } = {},
  ): Promise<TestServer> {
    const config = testConfig(options.env);
    const database = options.database ?? (await openTestDatabase());
    const logs = options.logs ?? [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        logs.push(String(chunk));
        cb();
      },
    });
    const logger = createLogger(config.logLevel, sink);
    const teamIds: string[] = [];
    const server = await startServer({
      config,
      database,
      logger,
      ...(options.workers
        ? {
            workers: {
              executor: createGatedExecutor,
              onlyTeams: teamIds,
            },
          }
        : {}),
    });
    const ts = new TestServer(server, database, config, !options.database);
    (ts as { logs: string[] }).logs = logs;
    (ts as { teamIds: string[] }).teamIds = teamIds;
    return ts;
  }

  get url(): string {
    return this.server.url;
  }

  get wsUrl(): string {
    return `${this.server.url.replace(/^http/, 'ws')}/graphql`;
  }

  http() {
    return request(this.server.url);
  }

  /** POSTs a GraphQL operation with an optional bearer token. */
  async gql<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    token?: string | null,
  ): Promise<GqlResult<T>> {
    const req = this.http().post('/graphql').set('content-type', 'application/json');
    if (token) req.set('authorization', `Bearer ${token}`);
    const res = await req.send({ query, variables });
    return { status: res.status, data: res.body.data, errors: res.body.errors, body: res.body };
  }

  /** A fresh team with an admin and a member, so tests never share state. */
  async createTeam(name = 'Test team'): Promise<TestTeam> {
    const unique = Math.random().toString(36).slice(2, 10);
    const admin = await createTeam(this.database.db, { name, adminEmail: `admin-${unique}@example.com` });
    this.teamIds.push(admin.teamId);
    const member = await createUser(this.database.db, {
      teamId: admin.teamId,
      email: `member-${unique}@example.com`,
      role: 'MEMBER',
    });
    return {
      teamId: admin.teamId,
      adminId: admin.userId,
      adminToken: admin.token,
      memberId: member.userId,
      memberToken: member.token,
    };
  }

  async stop(): Promise<void> {
    await this.server.stop();
    if (this.ownsDatabase) await this.database.close();
  }
}

/** Global Relay id as the server encodes it. */
export function globalId(type: string, id: string): string {
  return Buffer.from(`${type}:${id}`).toString('base64');
}
