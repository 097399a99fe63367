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
]);
export type SyncJobEvent = z.infer<typeof syncJobEventSchema>;

export const syncJobPayloadSchema = z.object({ v: z.literal(1), event: syncJobEventSchema });
export type SyncJobPayload = z.infer<typeof syncJobPayloadSchema>;
