// The safety net for lost or missing webhooks: every tick, one instance (a transaction-scoped advisory
// lock) queues ATS_REFRESH jobs for linked contacts pushed within the window and not re-read for an
// interval. The jobs run through the outbox like any other, so leases, retries, the per-integration
// rate limit and the breaker pace the Pinpoint calls; the same rule applies their answers.
import { sql } from 'drizzle-orm';
import type { AtsSettings } from '../config.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import { enqueueAtsRefresh } from './ats-jobs.js';
import { rowsOf } from './rate-limit.js';

export interface AtsReconciler {
  /** One pass now; answers how many refresh jobs it queued (0 when another instance holds the lock). */
  tick(): Promise<number>;
  stop(): Promise<void>;
}

const LOCK_KEY = 'bff:ats-reconciler';

interface DueRow {
  id: string;
  team_id: string;
  application_id: string;
}

/** Queues one pass of refreshes; safe to run from many instances at once. */
export async function reconcileAtsOnce(
  database: Database,
  settings: AtsSettings,
  onlyTeams?: readonly string[],
): Promise<number> {
  if (onlyTeams?.length === 0) return 0;
  const ids = (list: readonly string[]) =>
    sql.join(
      list.map((id) => sql`${id}::uuid`),
      sql`, `,
    );
  return database.db.transaction(async (tx) => {
    const [lock] = rowsOf<{ ok: boolean }>(
      await tx.execute(sql`select pg_try_advisory_xact_lock(hashtextextended(${LOCK_KEY}, 0)) as ok`),
    );
    if (!lock?.ok) return 0;
    const teams = onlyTeams ? sql`and cc.team_id in (${ids(onlyTeams)})` : sql``;
    const due = rowsOf<DueRow>(
      await tx.execute(sql`
        select cc.id, cc.team_id, cc.pinpoint_application_id as application_id
          from campaign_contacts cc
          join integrations i on i.team_id = cc.team_id and i.provider = 'PINPOINT' and i.status = 'CONNECTED'
         where cc.pinpoint_application_id is not null
           and cc.pinpoint_synced_at > now() - make_interval(days => ${settings.reconcileWindowDays}::int)
           and (cc.ats_checked_at is null
                or cc.ats_checked_at < now() - make_interval(secs => ${settings.reconcileIntervalMs / 1000}::float8))
           ${teams}
         order by cc.ats_checked_at asc nulls first, cc.id
         limit ${settings.reconcileBatch}
         for update of cc skip locked`),
    );
    if (due.length === 0) return 0;
    // Marked now, not when read: a contact whose read keeps failing is not re-queued every tick.
    await tx.execute(
      sql`update campaign_contacts set ats_checked_at = now() where id in (${ids(due.map((r) => r.id))})`,
    );
    return enqueueAtsRefresh(
      tx,
      due.map((r) => ({
        teamId: r.team_id,
        applicationId: r.application_id,
        campaignContactId: r.id,
        source: 'RECONCILER' as const,
      })),
    );
  });
}

/** Ticks every `reconcileTickMs` until stopped (never overlapping itself). */
export function startAtsReconciler(options: {
  database: Database;
  logger: Logger;
  settings: AtsSettings;
  onlyTeams?: readonly string[];
}): AtsReconciler {
  const { database, settings, onlyTeams } = options;
  const log = options.logger.child({ component: 'ats-reconciler' });
  let running: Promise<number> | null = null;
  let stopped = false;
  const tick = async () => {
    running ??= reconcileAtsOnce(database, settings, onlyTeams).finally(() => {
      running = null;
    });
    return running;
  };
  const timer =
    settings.reconcileTickMs > 0
      ? setInterval(() => {
          if (stopped) return;
          tick().then(
            (queued) => queued > 0 && log.info({ queued }, 'queued ATS re-reads'),
            (error: unknown) => log.error({ err: error }, 'ATS reconciliation pass failed'),
          );
        }, settings.reconcileTickMs)
      : null;
  timer?.unref();
  return {
    tick,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
