// The enums of campaigns and campaign contacts: Sync as, contact stage, sync status and where a
// resolved setting came from. Values come from src/domain/types.ts and src/db/schema.ts.
import type { syncStatusEnum } from '../../db/schema.js';
import type { ContactStage, SettingSource, SyncAs } from '../../domain/types.js';
import { builder } from '../builder.js';

type Described<V extends string> = Record<V, { description: string }>;
type SyncStatus = (typeof syncStatusEnum.enumValues)[number];

export const SyncAsEnum = builder.enumType('SyncAs', {
  description: 'Whether the contacts of a campaign (or one contact, by override) are pushed to Pinpoint.',
  values: {
    APPLICATION: {
      description: 'Push the contact to Pinpoint as an Application when the trigger is reached.',
    },
    DO_NOT_SYNC: { description: 'Never push this contact: nothing is sent to Pinpoint.' },
  } as const satisfies Described<SyncAs>,
});

export const ContactStageEnum = builder.enumType('ContactStage', {
  description: 'How far a contact got in a campaign; INTERESTED implies REPLIED.',
  values: {
    ADDED: { description: 'Added to the campaign; no reply yet.' },
    REPLIED: { description: 'The contact replied.' },
    INTERESTED: { description: 'The contact was marked interested.' },
  } as const satisfies Described<ContactStage>,
});

export const SyncStatusEnum = builder.enumType('SyncStatus', {
  description: 'Where a campaign contact stands with Pinpoint.',
  values: {
    NOT_SYNCED: { description: 'Nothing pushed yet (the trigger is not reached, or nothing was tried).' },
    PENDING: { description: 'A push is queued or running.' },
    SYNCED: { description: 'The Application exists in Pinpoint (`pinpointApplicationId` is set).' },
    BLOCKED: {
      description: 'Mandatory fields are missing (see `missingMandatoryFields`); fill them and retry.',
    },
    FAILED: { description: 'Pushing failed after retries (see `lastSyncError`); `retrySync` tries again.' },
    SKIPPED: { description: 'Not pushed on purpose, e.g. Sync as is DO_NOT_SYNC.' },
  } as const satisfies Described<SyncStatus>,
});

export const SettingSourceEnum = builder.enumType('SettingSource', {
  description:
    'Which level a resolved setting came from (most specific wins: OVERRIDE > CAMPAIGN > USER > TEAM).',
  values: {
    TEAM: { description: 'The team default (integration settings page).' },
    USER: { description: 'The campaign owner’s personal default.' },
    CAMPAIGN: { description: 'The campaign’s own setting.' },
    OVERRIDE: { description: 'The per-person override set for this contact (Chrome extension).' },
  } as const satisfies Described<SettingSource>,
});
