// loadConfig: defaults, one ConfigError per bad variable naming it, and the server refusing to start on one.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('gives a zero-setup development configuration when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      logLevel: 'info',
      host: '0.0.0.0',
      port: 4000,
      dataDir: '.data',
      database: { kind: 'pglite', dataDir: '.data/pglite' },
      pinpoint: { baseUrlTemplate: 'https://{domain}.pinpointhq.com' },
      encryptionKey: null,
      graphql: { introspection: true, playground: true, includeStacktrace: false },
      bodyLimit: '2mb',
      seedDemoTeam: true,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('keeps metrics off until METRICS_PORT is set, then serves them on loopback', () => {
    expect(loadConfig({}).metrics).toBeNull();
    expect(loadConfig({ METRICS_PORT: '9464' }).metrics).toEqual({
      host: '127.0.0.1',
      port: 9464,
      maxOperationNames: 200,
    });
    expect(configError({ METRICS_PORT: '70000' }).message).toMatch(/METRICS_PORT: must be a port/);
    expect(configError({ METRICS_PORT: 'on' }).message).toMatch(/METRICS_PORT/);
  });

  it('reads each database URL form', () => {
    expect(loadConfig({ DATABASE_URL: 'memory://' }).database).toEqual({ kind: 'pglite', dataDir: null });
    expect(loadConfig({ DATABASE_URL: 'file:/tmp/x' }).database).toEqual({
      kind: 'pglite',
      dataDir: '/tmp/x',
    });
    expect(loadConfig({ DATA_DIR: '/var/bff' }).database).toEqual({
      kind: 'pglite',
      dataDir: '/var/bff/pglite',
    });
    expect(
      loadConfig({ DATABASE_URL: 'postgres://u@db:5432/app', DATABASE_POOL_MAX: '20' }).database,
    ).toEqual({ kind: 'postgres', url: 'postgres://u@db:5432/app', poolMax: 20 });
  });

  it('keeps stack traces out of responses even in development', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).graphql.includeStacktrace).toBe(false);
  });

  it('reads WORKER_ONLY_TEAMS as a list of team ids and names it when an entry is not one', () => {
    const a = '2b0c4a6e-8f1d-4c3b-9a7e-5d6f7a8b9c0d';
    const b = '7e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b';
    expect(loadConfig({ WORKER_ONLY_TEAMS: `${a}, ${b}` }).workerOnlyTeams).toEqual([a, b]);
    expect(loadConfig({}).workerOnlyTeams).toBeNull();
    expect(() => loadConfig({ WORKER_ONLY_TEAMS: `${a},not-a-team` })).toThrow(/WORKER_ONLY_TEAMS/);
  });

  it('strips a trailing slash from PINPOINT_BASE_URL', () => {
    expect(
      loadConfig({ PINPOINT_BASE_URL: 'http://127.0.0.1:4010/{domain}/' }).pinpoint.baseUrlTemplate,
    ).toBe('http://127.0.0.1:4010/{domain}');
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://root@localhost/app'],
    ['PINPOINT_BASE_URL', 'https://api.pinpointhq.com'],
    ['PINPOINT_BASE_URL', 'ftp://{domain}.example.com'],
    ['GRAPHQL_INTROSPECTION', 'maybe'],
    ['LOG_LEVEL', 'loud'],
    ['NODE_ENV', 'staging'],
    ['BODY_LIMIT', 'lots'],
    ['DATABASE_POOL_MAX', '0'],
  ])('rejects %s=%s with a ConfigError naming the variable', (name, value) => {
    const error = configError({ [name]: value });
    expect(error.message).toMatch(new RegExp(`^\\s+${name}: `, 'm'));
  });

  it('names every bad variable at once', () => {
    const error = configError({ PORT: 'abc', GRAPHQL_PLAYGROUND: 'sometimes' });
    expect(error.message).toContain('PORT');
    expect(error.message).toContain('GRAPHQL_PLAYGROUND');
  });

  it('requires ENCRYPTION_KEY when NODE_ENV=production', () => {
    expect(configError({ NODE_ENV: 'production' }).message).toContain('ENCRYPTION_KEY');
    expect(configError({ NODE_ENV: 'production', ENCRYPTION_KEY: '   ' }).message).toContain(
      'ENCRYPTION_KEY',
    );
    expect(loadConfig({ NODE_ENV: 'production', ENCRYPTION_KEY: 'a-key' }).encryptionKey).toBe('a-key');
  });
});

describe('the server with a bad configuration', () => {
  it('exits with status 1 and a message naming the variable, before opening anything', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { PATH: process.env.PATH, PORT: 'abc', DATA_DIR: '/nonexistent/never-created' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/PORT: must be an integer/);
    expect(result.stdout).toBe('');
  });
  it('turns introspection and the Playground off under NODE_ENV=production unless set explicitly', () => {
    const key = `${'A'.repeat(43)}=`;
    const production = loadConfig({ NODE_ENV: 'production', ENCRYPTION_KEY: key });
    expect(production.graphql).toMatchObject({ introspection: false, playground: false });
    const optedIn = loadConfig({
      NODE_ENV: 'production',
      ENCRYPTION_KEY: key,
      GRAPHQL_INTROSPECTION: 'true',
      GRAPHQL_PLAYGROUND: 'true',
    });
    expect(optedIn.graphql).toMatchObject({ introspection: true, playground: true });
    const developmentOff = loadConfig({ GRAPHQL_INTROSPECTION: 'false', GRAPHQL_PLAYGROUND: 'no' });
    expect(developmentOff.graphql).toMatchObject({ introspection: false, playground: false });
  });

  it('reads CORS_ORIGINS as exact origins, extensions included, and allows none by default', () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
    expect(
      loadConfig({
        CORS_ORIGINS:
          ' https://app.example.com, http://localhost:5173 ,chrome-extension://abcdefghijklmnopabcdefghijklmnop',
      }).corsOrigins,
    ).toEqual([
      'https://app.example.com',
      'http://localhost:5173',
      'chrome-extension://abcdefghijklmnopabcdefghijklmnop',
    ]);
  });

  it.each([
    'https://app.example.com/',
    'https://app.example.com/path',
    '*',
    'app.example.com',
    'chrome-extension://short',
  ])('refuses CORS_ORIGINS=%s, naming the variable and the bad entry', (value) => {
    const error = configError({ CORS_ORIGINS: `https://ok.example.com,${value}` });
    expect(error.message).toContain('CORS_ORIGINS');
    expect(error.message).toContain(value);
  });
});
