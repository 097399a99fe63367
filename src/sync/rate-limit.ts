// Per-integration request rate and circuit breaker, kept on the integration row so that every worker
// of every instance shares them: the database is the only coordinator.
import { type SQL, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.js';
import { executeNamed, rowsOf } from '../db/named.js';
import type { RequestGate } from './executor-types.js';

export { rowsOf } from '../db/named.js';

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A gate spacing requests to one integration `1 / requestsPerSecond` apart, across instances: each
 * call atomically reserves the next free slot in the integration's rate-limit row (one short
 * upsert, no transaction left open; a row of its own so that claims never wait on it) and sleeps
 * until that slot (or reserves several at once, see RequestGate). Times are the database's, so instance clocks need not agree. An integration without a row is not limited (there is nothing to call anyway).
 */
export function createRequestGate(db: Db, options: { requestsPerSecond: number }): RequestGate {
  if (!(options.requestsPerSecond > 0)) throw new RangeError('requestsPerSecond must be positive');
  const spacingMs = 1000 / options.requestsPerSecond;
  /** Integrations whose last reservation here was due at once (see RequestGate.isIdle). */
  const idle = new Map<string, boolean>();
  const reserve = async (integrationId: string, slots: number) => {
    const count = Math.max(1, Math.floor(slots));
    const spacing = sql`make_interval(secs => ${(spacingMs * count) / 1000}::float8)`;
    const result = await executeNamed(
      db,
      sql`
      insert into integration_rate_limits as r (integration_id, next_request_at)
      select id, now() + ${spacing} from integrations where id = ${integrationId}
      on conflict (integration_id)
        do update set next_request_at = greatest(r.next_request_at, now()) + ${spacing}
      returning (extract(epoch from (r.next_request_at - ${spacing} - now())) * 1000)::float8 as wait_ms`,
    );
    const [row] = rowsOf<{ wait_ms: number | string }>(result);
    if (idle.size >= 10_000) idle.clear();
    idle.set(integrationId, !row || Number(row.wait_ms) <= 0);
    if (!row) return undefined;
    const firstAt = performance.now() + Number(row.wait_ms);
    return Array.from({ length: count }, (_, i) => firstAt + i * spacingMs);
  };
  const gate = async (integrationId: string, signal?: AbortSignal, slots = 1) => {
    if (signal?.aborted) throw signal.reason;
    const due = await reserve(integrationId, slots);
    if (!due) return undefined;
    await sleep(Math.ceil((due[0] ?? 0) - performance.now()), signal);
    return due.slice(1);
  };
  return Object.assign(gate, {
    reserve,
    isIdle: (integrationId: string) => idle.get(integrationId) === true,
  });
}

export interface BreakerSettings {
  readonly breakerThreshold: number;
  readonly breakerCooldownMs: number;
}

/**
 * SQL (a data-modifying statement, usable as a CTE) that counts one transient failure against the
 * team's integration and opens its breaker for the cooldown once the threshold is reached. While
 * open, the claim skips the team; after the cooldown the next failure re-opens it at once (the
 * count stays at the threshold) and a success closes it.
 */
export function breakerFailureSql(teamIdSql: SQL, settings: BreakerSettings): SQL {
  return sql`
    update integrations
       set breaker_failures = breaker_failures + 1,
           breaker_open_until = case
             when breaker_failures + 1 >= ${settings.breakerThreshold}::int
               then now() + make_interval(secs => ${settings.breakerCooldownMs / 1000}::float8)
             else breaker_open_until end,
           updated_at = now()
     where team_id = ${teamIdSql} and provider = 'PINPOINT'`;
}

/** SQL closing the team's breaker after an answer from Pinpoint; writes nothing when already closed. */
export function breakerResetSql(teamIdSql: SQL): SQL {
  return sql`
    update integrations
       set breaker_failures = 0, breaker_open_until = null, updated_at = now()
     where team_id = ${teamIdSql} and provider = 'PINPOINT'
       and (breaker_failures > 0 or breaker_open_until is not null)`;
}

/** Reads the breaker of a team's integration (for tests and diagnostics). */
export async function readBreaker(
  db: DbOrTx,
  teamId: string,
): Promise<{ failures: number; openForMs: number } | null> {
  const result = await db.execute(sql`
    select breaker_failures as failures,
           greatest(0, extract(epoch from (coalesce(breaker_open_until, now()) - now())) * 1000)::float8
             as open_for_ms
      from integrations where team_id = ${teamId} and provider = 'PINPOINT'`);
  const [row] = rowsOf<{ failures: number; open_for_ms: number | string }>(result);
  return row ? { failures: Number(row.failures), openForMs: Number(row.open_for_ms) } : null;
}
