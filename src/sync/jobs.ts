// The versioned payload of an outbox job: the event that caused it (ids only, never secrets).
import { z } from 'zod';
import { CONTACT_VARIABLES } from '../domain/types.js';

export const syncJobEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ADDED') }),
  z.object({ kind: z.literal('REPLIED'), interested: z.boolean(), activityIds: z.array(z.string()) }),
  z.object({ kind: z.literal('ACTIVITY'), activityId: z.string() }),
  z.object({ kind: z.literal('CONTACT_EDITED'), changedVariables: z.array(z.enum(CONTACT_VARIABLES)) }),
  z.object({ kind: z.literal('RETRY') }),
  z.object({ kind: z.literal('SETTINGS_CHANGED') }),
  // Re-read one Pinpoint application and apply what it says now to every campaign contact of the
  // team linked to it (src/sync/ats-refresh.ts). The job's campaign contact is one of them.
  z.object({
    kind: z.literal('ATS_REFRESH'),
    applicationId: z.string().min(1).max(200),
    source: z.enum(['WEBHOOK', 'RECONCILER']),
  }),
]);
export type SyncJobEvent = z.infer<typeof syncJobEventSchema>;
/** The events of pushes to Pinpoint (the policy's); ATS_REFRESH jobs read from Pinpoint instead. */
export type PushJobEvent = Exclude<SyncJobEvent, { kind: 'ATS_REFRESH' }>;

export const syncJobPayloadSchema = z.object({ v: z.literal(1), event: syncJobEventSchema });
export type SyncJobPayload = z.infer<typeof syncJobPayloadSchema>;
