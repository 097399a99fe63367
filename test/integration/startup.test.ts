// The newcomer's path: `npm start` on an empty data directory initialises the embedded database,
// prints a working token once, serves the Playground, stops cleanly on SIGTERM, and on the next start
// finds its data again without seeding twice. Always embedded PGlite: that is what `npm start` runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, type ServerProcess, spawnServer } from '../helpers/server-process.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'bff-start-'));
let running: ServerProcess | undefined;

afterAll(async () => {
  await running?.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(): Promise<{ server: ServerProcess; url: string }> {
  const port = await freePort();
  running = spawnServer({
    PORT: String(port),
    DATA_DIR: dataDir,
    DATABASE_URL: `file:${path.join(dataDir, 'pglite')}`,
    LOG_LEVEL: 'info',
  });
  await running.waitFor(/"msg":"server ready"/, 60_000);
  return { server: running, url: `http://127.0.0.1:${port}` };
}

describe('npm start on an empty data directory', () => {
  let token: string;

  it('starts, prints a first-run token with the Playground URL, and the token reads the demo team', async () => {
    const { server, url } = await start();
    const [, printed] = await server.waitFor(/"Authorization": "Bearer (ppb_[\w-]+)"/, 5_000);
    token = printed!;
    expect(server.output()).toContain(`Playground: ${url}/graphql`);
    expect(server.output()).toContain('First run: created "Demo team"');
    // The token is printed to the terminal, never written into a log line.
    const logLines = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'));
    expect(logLines.some((line) => line.includes(token))).toBe(false);

    const res = await request(url)
      .post('/graphql')
      .set('authorization', `Bearer ${token}`)
      .send({ query: '{ viewer { team { name } user { email role } } }' });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.viewer).toEqual({
      team: { name: 'Demo team' },
      user: { email: 'admin@demo.example', role: 'ADMIN' },
    });
  });

  it('serves the Playground page to a browser at GET /graphql', async () => {
    const url = running!.output().match(/Playground: (http:\/\/[\w.]+:\d+)\/graphql/)![1]!;
    const res = await request(url).get('/graphql').set('accept', 'text/html');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toMatch(/^<!doctype html>/i);
    expect(res.text).toContain('<title>GraphQL Playground</title>');
  });

  it('exits with status 0 within a few seconds of SIGTERM', async () => {
    const { code, ms } = await running!.stop('SIGTERM');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5_000);
    expect(running!.output()).toContain('"msg":"stopped"');
  });

  it('starts again on the same directory with its data and prints no new token', async () => {
    const { server, url } = await start();
    const res = await request(url)
      .post('/graphql')
      .set('authorization', `Bearer ${token}`)
      .send({ query: '{ viewer { team { name } } }' });
    expect(res.body.data?.viewer.team.name).toBe('Demo team');
    const { code } = await server.stop('SIGTERM');
    expect(code).toBe(0);
    expect(server.output()).not.toContain('First run');
    expect(server.output()).not.toMatch(/Bearer ppb_/);
  });
});
