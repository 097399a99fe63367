// The audit log's table: one row per team-wide admin change, written in the change's transaction.
// Kept beside schema.ts (drizzle.config.ts reads both) so that file stays one screenful per concern.
import { index, jsonb, pgEnum, pgTable, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { AuditValues } from '../domain/audit.js';
import { AUDIT_ACTIONS, AUDIT_TARGETS } from '../domain/types.js';
import { integrationProviderEnum, teamsTable, usersTable } from './schema.js';

export const auditActionEnum = pgEnum('audit_action', AUDIT_ACTIONS);
export const auditTargetEnum = pgEnum('audit_target', AUDIT_TARGETS);

export const auditLogTable = pgTable(
  'audit_log',
  {
    id: uuid('id')
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    teamId: uuid('team_id')
      .notNull()
      .references(() => teamsTable.id, { onDelete: 'cascade' }),
    /** Who made the change; null only if that user was removed since. */
    actorUserId: uuid('actor_user_id').references(() => usersTable.id, { onDelete: 'set null' }),
    action: auditActionEnum('action').notNull(),
    target: auditTargetEnum('target').notNull(),
    /** The integration's provider, for INTEGRATION targets. */
    provider: integrationProviderEnum('provider'),
    /** The changed fields' values before and after (JSON, same keys); secrets only ever as their hint. */
    before: jsonb('before').$type<AuditValues>().notNull(),
    after: jsonb('after').$type<AuditValues>().notNull(),
    /** The change's transaction time: the entry commits with the change or not at all. */
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('audit_log_team_created_idx').on(t.teamId, t.createdAt, t.id)],
);
