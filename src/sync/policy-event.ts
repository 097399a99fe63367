// A stored job event turned into the sync policy's event: activities are read back by id, in the
// order the job names them.
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { activitiesTable } from '../db/schema.js';
import type { PolicyActivity, PolicyEvent } from '../domain/sync-actions.js';
import type { PushJobEvent } from './jobs.js';

type ActivityRow = typeof activitiesTable.$inferSelect;

export function toPolicyActivity(a: ActivityRow): PolicyActivity {
  return {
    id: a.id,
    type: a.type,
    channel: a.channel,
    occurredAt: a.occurredAt.toISOString(),
    subject: a.subject,
    body: a.body,
  };
}

/** Turns a stored job event into the policy's event (activities are read back by id). */
export async function policyEventFor(
  db: Db,
  campaignContactId: string,
  event: PushJobEvent,
): Promise<PolicyEvent> {
  switch (event.kind) {
    case 'REPLIED':
    case 'ACTIVITY': {
      const ids = event.kind === 'REPLIED' ? event.activityIds : [event.activityId];
      const rows =
        ids.length === 0
          ? []
          : await db
              .select()
              .from(activitiesTable)
              .where(
                and(
                  eq(activitiesTable.campaignContactId, campaignContactId),
                  inArray(activitiesTable.id, ids),
                ),
              );
      const activities = ids.flatMap((id) => rows.filter((r) => r.id === id)).map(toPolicyActivity);
      if (event.kind === 'REPLIED') return { kind: 'REPLIED', interested: event.interested, activities };
      const activity = activities[0];
      return activity ? { kind: 'ACTIVITY', activity } : { kind: 'RETRY' };
    }
    default:
      return event;
  }
}
