// Which teams' data changed: every write to a row a cached read may contain sends
// `NOTIFY bff_team_data, '<team id>'` from a trigger on commit (drizzle/0010_team_data_changes.sql).
// A cache keeps an answer only while it hears every such change, and serves it only after a barrier
// that proves every change committed before the request arrived has been heard.
//
// PostgreSQL: one connection of its own LISTENs and answers barriers. The server sends pending
// notifications before the ReadyForQuery of any later statement on the listening session (postgres.c:
// "if any notifies were received during the just-finished transaction, they'll be seen by the client
// before ReadyForQuery is"), and a commit signals listeners before it is acknowledged, so a
// `select pg_backend_pid()` on this connection returns only after every change committed before it
// was sent has been handed to `onChange` (the pid proves the LISTENing backend answered). Concurrent barriers share one round trip. A dropped connection disarms the feed
// (`onReset`: nothing heard before can be trusted) until LISTEN is active again.
//
// PGlite: one session in this process; a commit's notifications reach `onChange` (microtasks queued
// while the committing statement's answer is read) before the writer continues, so no barrier is needed.
import postgres from 'postgres';
import type { Logger } from '../logger.js';
import type { Database } from './client.js';

export const TEAM_DATA_CHANNEL = 'bff_team_data';

export interface TeamChangeHandlers {
  /** A change of this team's data committed. */
  onChange(teamId: string): void;
  /** Changes may have gone unheard (the connection dropped, or the feed (re)armed): trust nothing older. */
  onReset(): void;
}

export interface TeamChangeFeed {
  /** True while every committed change is heard. */
  readonly armed: boolean;
  /**
   * Resolves true once every change committed before this call has reached `onChange`; false when that
   * cannot be proved now (disarmed, the connection failed, or no answer within `timeoutMs`).
   */
  barrier(): Promise<boolean>;
  close(): Promise<void>;
}

const BARRIER_TIMEOUT_MS = 1_000;
const REARM_DELAYS_MS = [100, 500, 2_000, 5_000];
/** The payload a TRUNCATE sends: every team's data may have changed. */
const ALL_TEAMS = '*';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function openTeamChangeFeed(
  database: Database,
  handlers: TeamChangeHandlers,
  logger: Logger,
): Promise<TeamChangeFeed> {
  const heard = (payload: string) => {
    if (UUID.test(payload)) handlers.onChange(payload.toLowerCase());
    else if (payload === ALL_TEAMS) handlers.onReset(); // TRUNCATE of a table
  };
  const raw = database.raw;
  if (raw.kind === 'pglite') {
    const unlisten = await database.listen(TEAM_DATA_CHANNEL, heard);
    let armed = true;
    handlers.onReset();
    return {
      get armed() {
        return armed;
      },
      barrier: async () => armed,
      async close() {
        armed = false;
        handlers.onReset();
        await unlisten();
      },
    };
  }
  return openPostgresFeed(raw.url, heard, handlers, logger);
}

function openPostgresFeed(
  url: string,
  heard: (payload: string) => void,
  handlers: TeamChangeHandlers,
  logger: Logger,
): TeamChangeFeed {
  let armed = false;
  let closed = false;
  let rearmTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  const disarm = () => {
    if (armed) logger.warn('team change feed lost its connection: cached answers are off until it is back');
    armed = false;
    handlers.onReset();
  };
  let closes = 0;
  const sql = feedConnection(url, heard, () => {
    closes += 1;
    disarm();
    scheduleArm();
  });

  // The backend that LISTENs. A barrier answered by another one (a pooler between us and the
  // server) proves nothing: the feed then disarms and listens again.
  let listener: number | null = null;
  async function arm(): Promise<void> {
    const seen = closes;
    await sql.unsafe(`listen ${TEAM_DATA_CHANNEL}`);
    const [row] = await sql`select pg_backend_pid() as pid`;
    if (closed || closes !== seen) return; // the connection dropped meanwhile: armed again later
    listener = Number(row?.pid);
    failures = 0;
    handlers.onReset();
    armed = true;
  }
  function scheduleArm(): void {
    if (closed || rearmTimer) return;
    const delay = REARM_DELAYS_MS[Math.min(failures, REARM_DELAYS_MS.length - 1)] ?? 5_000;
    failures += 1;
    rearmTimer = setTimeout(() => {
      rearmTimer = undefined;
      if (closed || armed) return;
      arm().catch(() => scheduleArm());
    }, delay);
    rearmTimer.unref();
  }

  const barrier = coalesced(() =>
    roundTrip(sql, (pid) => {
      if (pid === listener) return armed;
      if (armed) {
        logger.warn('team change feed answered by another backend (a pooler?): listening again');
        disarm();
        scheduleArm();
      }
      return false;
    }),
  );

  // Armed in the background: the server is ready without it, with the cache off until LISTEN is active.
  void arm().catch((error: unknown) => {
    if (closed) return;
    logger.warn({ err: error }, 'team change feed could not listen: cached answers are off until it can');
    scheduleArm();
  });
  return {
    get armed() {
      return armed;
    },
    barrier: () => (armed && !closed ? barrier() : Promise.resolve(false)),
    async close() {
      closed = true;
      clearTimeout(rearmTimer);
      armed = false;
      handlers.onReset();
      await sql.end({ timeout: 1 }); // nothing to drain: LISTEN and barriers only
    },
  };
}

/** A `select pg_backend_pid()` on the feed's connection, judged by `check`; false if it fails or is late. */
async function roundTrip(sql: postgres.Sql, check: (pid: number) => boolean): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const answered = sql`select pg_backend_pid() as pid`.then(
    ([row]) => check(Number(row?.pid)),
    () => false,
  );
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), BARRIER_TIMEOUT_MS);
    timer.unref();
  });
  return Promise.race([answered, timedOut]).finally(() => clearTimeout(timer));
}

/** The feed's own connection: one, never idle-closed or recycled; notifications go to `heard`. */
function feedConnection(url: string, heard: (payload: string) => void, onClose: () => void): postgres.Sql {
  // `onnotify` is postgres.js's own option (its `listen` uses it), missing from its typings.
  const options: postgres.Options<Record<string, never>> & {
    onnotify: (channel: string, payload: string) => void;
  } = {
    max: 1,
    idle_timeout: 0,
    max_lifetime: null,
    fetch_types: false,
    onnotice: () => {},
    connect_timeout: 10,
    connection: { application_name: 'pinpoint-bff-changes' },
    onnotify: (channel, payload) => {
      if (channel === TEAM_DATA_CHANNEL) heard(payload);
    },
    onclose: onClose,
  };
  return postgres(url, options);
}

/**
 * Calls of the result share round trips of `roundTrip`: one in flight at a time, and a call made while
 * one is in flight waits for the next (the one in flight may have been sent before that caller's
 * predecessors committed).
 */
export function coalesced(roundTrip: () => Promise<boolean>): () => Promise<boolean> {
  let current: Promise<boolean> | null = null;
  let next: Promise<boolean> | null = null;
  const start = () => {
    const done = roundTrip();
    current = done;
    void done.then(() => {
      if (current === done) current = null;
    });
    return done;
  };
  return () => {
    if (current === null) return start();
    next ??= current.then(() => {
      next = null;
      return start();
    });
    return next;
  };
}
