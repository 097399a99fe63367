// What the Pinpoint effects of a job need, passed explicitly to each of their functions.
import type { Db } from '../../db/client.js';
import type { PinpointClient } from '../../pinpoint/client.js';
import type { PinpointCustomField } from '../../pinpoint/types.js';

export interface EffectDeps {
  readonly db: Db;
  /** The job's client: its AbortSignal, the shared rate gate and the breaker apply to every call. */
  readonly client: PinpointClient;
  /** The job will make at least `n` more requests: their rate slots are reserved together. */
  readonly expectRequests: (n: number) => void;
  /** The account's custom fields (cached per key by the executor). */
  readonly customFields: () => Promise<readonly PinpointCustomField[]>;
}
