// The long-lived collaborators use cases need, built once by the composition root.
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import type { EventBus } from './db/notify.js';
import type { Logger } from './logger.js';
import type { PinpointClient } from './pinpoint/client.js';
import type { SecretBox } from './secrets/secret-box.js';

export interface PinpointConnection {
  readonly domain: string;
  readonly apiKey: string;
  /** Overrides the configured total timeout (activation uses a shorter, bounded one). */
  readonly timeoutMs?: number;
  /** Cancels the client's requests (a sync job stopped by its worker). */
  readonly signal?: AbortSignal;
}

export interface Services {
  readonly config: Config;
  readonly database: Database;
  readonly logger: Logger;
  readonly secretBox: SecretBox;
  readonly events: EventBus;
  /** Builds a Pinpoint client for one integration (the key is only ever passed here, decrypted). */
  pinpointClient(connection: PinpointConnection): PinpointClient;
}
