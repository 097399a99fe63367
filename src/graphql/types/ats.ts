// Two-way Pinpoint (issue 13): what Pinpoint says about each campaign contact (AtsStatus, the
// outreach stop) and the admin's webhook setup on Integration (URL, secret hint, delivery health).
import { type AtsStatusView, atsStatusOf } from '../../app/ats-status.js';
import { campaignContactPinpointUrl } from '../../app/campaign-contacts.js';
import type { IntegrationView } from '../../app/integrations.js';
import { setPinpointWebhookSecret, webhookInfoFor } from '../../app/webhook-settings.js';
import { WEBHOOK_STATUSES } from '../../domain/types.js';
import { IntegrationNotConnectedError, ValidationError } from '../../errors.js';
import { builder } from '../builder.js';
import { vocabularyEnum } from '../vocabulary.js';
import { AtsOutcomeEnum } from './ats-enums.js';
import { CampaignContactRef } from './campaign-contact.js';
import { IntegrationRef } from './integration.js';

export const WebhookStatusEnum = vocabularyEnum('WebhookStatus', {
  description:
    'Whether Pinpoint’s webhooks reach this product. Without them ATS statuses still update, but only as often as the reconciler re-reads (hours, not seconds).',
  values: WEBHOOK_STATUSES,
  describe: {
    NOT_CONFIGURED:
      'No signing secret stored yet: set up the webhook in Pinpoint, then `setPinpointWebhookSecret`.',
    WAITING: 'Configured; nothing has arrived yet, and nothing was expected (no contacts synced recently).',
    RECEIVING: 'A signed delivery arrived within the last day.',
    SILENT:
      'Warning: configured, contacts are synced, but no delivery arrived for a day. Check the webhook URL, its events and the secret in Pinpoint.',
  },
});

const AtsStatusRef = builder.objectRef<AtsStatusView>('AtsStatus').implement({
  description:
    'What Pinpoint last said about the contact’s Application (through a webhook or the periodic re-read). Pinpoint is always re-read, so duplicate or late webhooks never move it backwards.',
  fields: (t) => ({
    stageName: t.exposeString('stageName', {
      nullable: true,
      description:
        'The Application’s current stage in Pinpoint, e.g. "Interview". Null when Pinpoint did not name it.',
    }),
    outcome: t.field({
      type: AtsOutcomeEnum,
      description: '`ACTIVE` while in the pipeline; `HIRED`, `REJECTED` or `WITHDRAWN` once decided.',
      resolve: (s) => s.outcome,
    }),
    updatedAt: t.expose('updatedAt', {
      type: 'DateTime',
      description:
        'When the Application last changed in Pinpoint (Pinpoint’s time when it sends one, else when we learned of it).',
    }),
    pinpointUrl: t.string({
      nullable: true,
      description: 'A link to the Application in Pinpoint (best effort).',
      resolve: (s, _args, ctx) => campaignContactPinpointUrl(ctx, s.row),
    }),
  }),
});

builder.objectFields(CampaignContactRef, (t) => ({
  atsStatus: t.field({
    type: AtsStatusRef,
    nullable: true,
    description:
      'Where the contact’s Application stands in Pinpoint. Null until Pinpoint has told us something (only for Applications this product created or linked).',
    resolve: (row) => atsStatusOf(row),
  }),
  outreachStopped: t.exposeBoolean('outreachStopped', {
    description:
      'True when outreach to this contact should stop because Pinpoint marked the Application hired, rejected or withdrawn (team setting `stopOutreachOnAtsOutcome`). The outreach engine reads it; it turns false again if Pinpoint makes the Application active again.',
  }),
  outreachStoppedReason: t.exposeString('outreachStoppedReason', {
    nullable: true,
    description: 'Why outreach stopped, in words to show a recruiter. Null while `outreachStopped` is false.',
  }),
}));

const webhookField = <K extends 'webhookUrl' | 'secretHint'>(key: K) => ({
  resolve: async (v: IntegrationView, _args: unknown, ctx: Parameters<typeof webhookInfoFor>[0]) =>
    (await webhookInfoFor(ctx, v.teamId))[key],
});

builder.objectFields(IntegrationRef, (t) => ({
  webhookUrl: t.string({
    nullable: true,
    description:
      'The URL to paste into Pinpoint (Settings → API & Webhooks → Webhooks) so Pinpoint tells us when an Application moves, is hired, rejected or withdrawn. Unique to this team; deliveries must be signed with the secret set by `setPinpointWebhookSecret`. Null until Pinpoint was activated once.',
    ...webhookField('webhookUrl'),
  }),
  webhookSecretHint: t.string({
    nullable: true,
    description:
      'The last four characters of the stored webhook signing secret, e.g. `••••f00d`. Null until one is set; the secret itself is never returned.',
    ...webhookField('secretHint'),
  }),
  lastWebhookAt: t.field({
    type: 'DateTime',
    nullable: true,
    description: 'When the last correctly signed webhook delivery arrived. Null when none has.',
    resolve: async (v, _args, ctx) => (await webhookInfoFor(ctx, v.teamId)).lastWebhookAt,
  }),
  webhookStatus: t.field({
    type: WebhookStatusEnum,
    description: 'Whether webhooks reach us; `SILENT` is the warning to show an admin.',
    resolve: async (v, _args, ctx) => (await webhookInfoFor(ctx, v.teamId)).status,
  }),
}));

builder.mutationField('setPinpointWebhookSecret', (t) =>
  t.field({
    type: IntegrationRef,
    description:
      'Stores the signing secret Pinpoint shows for the webhook (encrypted; only `webhookSecretHint` is ever shown). Deliveries to `Integration.webhookUrl` are then accepted when signed with it. Setting it again replaces it. Admins only.',
    authScopes: { admin: true },
    errors: {
      types: [ValidationError, IntegrationNotConnectedError],
      union: { description: 'The integration with the new hint, or why the secret was not stored.' },
    },
    args: {
      secret: t.arg.string({
        required: true,
        description: 'The signing secret from Pinpoint’s webhook settings, as shown there.',
      }),
    },
    resolve: (_root, args, ctx) => setPinpointWebhookSecret(ctx, args.secret),
  }),
);
