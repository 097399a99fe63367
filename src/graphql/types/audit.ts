// The audit log of team-wide admin changes, read by admins as `Team.auditLog` (newest first).
import {
  type AuditChangeView,
  type AuditEntryRow,
  changesOf,
  countAuditLog,
  listAuditLog,
  loadAuditEntries,
} from '../../app/audit-log.js';
import { loadersOf, pageArgs } from '../../app/loaders.js';
import { AUDIT_ACTIONS, AUDIT_TARGETS } from '../../domain/types.js';
import { builder } from '../builder.js';
import { vocabularyEnum } from '../vocabulary.js';
import { connectionOf, totalCountOf } from './campaign.js';
import { IntegrationProviderEnum } from './integration.js';
import { TeamRef, UserRef } from './viewer.js';

export const AuditActionEnum = vocabularyEnum('AuditAction', {
  description: 'What an admin changed. Each value is one mutation (or one outcome of it).',
  values: AUDIT_ACTIONS,
  describe: {
    INTEGRATION_ACTIVATED:
      '`activatePinpoint` with no key stored before (first connection, or after a deactivation).',
    API_KEY_ROTATED: '`activatePinpoint` while a key was stored: the key was replaced.',
    INTEGRATION_CHECKED: '`checkIntegration`: the key was re-verified; the status may have changed.',
    INTEGRATION_DEACTIVATED: '`deactivateIntegration`: the key was forgotten and syncing stopped.',
    WEBHOOK_SECRET_SET: '`setPinpointWebhookSecret` for the first time.',
    WEBHOOK_SECRET_ROTATED: '`setPinpointWebhookSecret` replacing a stored secret.',
    TEAM_SETTINGS_UPDATED: '`updateTeamSettings`.',
    FIELD_MAPPINGS_SET: '`setFieldMappings`: the whole mapping was replaced.',
    FIELD_MAPPINGS_RESET: '`resetFieldMappings`: back to the default mapping.',
  },
});

export const AuditTargetEnum = vocabularyEnum('AuditTarget', {
  description: 'What an audited change was made to.',
  values: AUDIT_TARGETS,
  describe: {
    INTEGRATION: 'An integration (see `AuditEntry.provider`): its key, status or webhook secret.',
    TEAM_SETTINGS: 'The team’s sync settings (`TeamSettings`).',
    FIELD_MAPPINGS: 'The team’s contact field mapping (`TeamSettings.fieldMappings`).',
  },
});

const AuditChangeRef = builder.objectRef<AuditChangeView>('AuditChange').implement({
  description:
    'One field an audited change changed, with its value before and after as JSON text (parse it with `JSON.parse`). Secrets never appear: an API key or webhook secret shows only as its hint (`apiKeyHint`, `webhookSecretHint`).',
  fields: (t) => ({
    field: t.exposeString('field', {
      description:
        'The field’s name as the API spells it: a `TeamSettings` field (`addApplicationWhen`, …), an `Integration` field (`status`, `domain`, `apiKeyHint`, `connectedAt`, …), `webhookSecretHint`/`webhookSecretSetAt`, or `fieldMappings`/`defaultFieldMappings`.',
    }),
    before: t.exposeString('before', {
      description:
        'The value before, as JSON text: e.g. `"INTERESTED"`, `true`, `["job","stage"]`, a date as an ISO-8601 string; `null` when there was none.',
    }),
    after: t.exposeString('after', {
      description: 'The value after, as JSON text (same form as `before`).',
    }),
  }),
});

export const AuditEntryRef = builder.loadableNode('AuditEntry', {
  description:
    'One team-wide change an admin made: who, what, when, and the changed values before and after (never a secret). Written in the same transaction as the change, so every change has exactly one entry and a refused or failed call has none. Admins only: `node(id)` answers null to members.',
  id: { resolve: (row: AuditEntryRow) => row.id },
  sort: (row) => row.id,
  load: (ids: string[], ctx) => loadAuditEntries(ctx, ids),
  fields: (t) => ({
    action: t.field({
      type: AuditActionEnum,
      description: 'What was done (see `AuditAction`).',
      resolve: (row) => row.action,
    }),
    target: t.field({
      type: AuditTargetEnum,
      description: 'What it was done to.',
      resolve: (row) => row.target,
    }),
    provider: t.field({
      type: IntegrationProviderEnum,
      nullable: true,
      description: 'The integration, when `target` is `INTEGRATION`; null otherwise.',
      resolve: (row) => row.provider,
    }),
    actor: t.field({
      type: UserRef,
      nullable: true,
      description: 'The admin who made the change; null only if that user has since been removed.',
      resolve: (row, _args, ctx) => (row.actorUserId ? loadersOf(ctx).users.load(row.actorUserId) : null),
    }),
    occurredAt: t.expose('createdAt', {
      type: 'DateTime',
      description: 'When the change was made (its transaction’s time).',
    }),
    changes: t.field({
      type: [AuditChangeRef],
      description:
        'The fields whose value changed, each with before and after. Empty when the call saved what was already there (e.g. the same settings again).',
      resolve: (row) => changesOf(row),
    }),
  }),
});

const AuditEntryConnectionRef = builder.connectionObject(
  {
    type: AuditEntryRef,
    name: 'AuditEntryConnection',
    description: 'A page of the team’s audit log, newest first.',
    edgesNullable: { list: false, items: false },
    nodeNullable: false,
    fields: (t) => ({
      totalCount: t.int({
        description: 'How many entries match the filter in all (every page).',
        resolve: (connection) => totalCountOf(connection),
      }),
    }),
  },
  { name: 'AuditEntryEdge', description: 'An audit entry in a page, with its cursor.' },
);

builder.objectField(TeamRef, 'auditLog', (t) =>
  t.field({
    type: AuditEntryConnectionRef,
    nullable: true,
    description:
      'Who changed the team’s integration, settings and field mapping, and how: newest first (keyset pagination). Admins only: for members it is null with a `FORBIDDEN` error.',
    authScopes: { admin: true },
    args: {
      first: t.arg.int({ description: 'Page size, 0–100 (default 20).' }),
      after: t.arg.string({
        description: 'Cursor of the last entry of the previous page (`pageInfo.endCursor`).',
      }),
      actions: t.arg({
        type: [AuditActionEnum],
        description: 'Only entries with one of these actions; absent or null lists them all.',
      }),
    },
    resolve: async (_team, args, ctx) => {
      const page = pageArgs(args.first, args.after);
      const filter = { actions: args.actions ?? null };
      return connectionOf({
        page: await listAuditLog(ctx, page, filter),
        hasPreviousPage: page.after !== null,
        totalCount: () => countAuditLog(ctx, filter),
      });
    },
  }),
);
