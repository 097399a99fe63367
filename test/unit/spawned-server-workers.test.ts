// A server spawned by a test on the run's shared PostgreSQL database runs no workers for every team:
// they would run (and pause) other test files' jobs, which then time out in those files.
import { describe, expect, it } from 'vitest';
import { sharedDatabaseWorkersProblem } from '../helpers/server-process.js';

const shared = 'postgres://postgres@127.0.0.1:5432/bff_test';

describe('servers spawned on the shared test database', () => {
  it('refuse workers for every team, there only', () => {
    expect(sharedDatabaseWorkersProblem({ DATABASE_URL: shared }, shared)).toMatch(/WORKER_ONLY_TEAMS/);
    expect(
      sharedDatabaseWorkersProblem(
        { DATABASE_URL: `${shared}?application_name=x`, WORKER_CONCURRENCY: '1' },
        shared,
      ),
    ).toMatch(/other test files/);
    expect(sharedDatabaseWorkersProblem({ DATABASE_URL: 'memory://' }, shared)).toBeNull();
    expect(sharedDatabaseWorkersProblem({ DATABASE_URL: shared }, undefined)).toBeNull();
  });

  it('allow no workers, or workers for their own teams', () => {
    expect(
      sharedDatabaseWorkersProblem({ DATABASE_URL: shared, WORKER_CONCURRENCY: '0' }, shared),
    ).toBeNull();
    const own = { DATABASE_URL: shared, WORKER_CONCURRENCY: '1', WORKER_ONLY_TEAMS: crypto.randomUUID() };
    expect(sharedDatabaseWorkersProblem(own, shared)).toBeNull();
  });
});
