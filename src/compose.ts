// Builds the long-lived collaborators (Services) both entry points share: the secret box, the event
// bus and the Pinpoint client factory. Neither Apollo nor the GraphQL schema is loaded from here, so
// `npm run worker` runs without the API layer.
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import { createEventBus } from './db/notify.js';
import type { Logger } from './logger.js';
import { createPinpointClient } from './pinpoint/client.js';
import type { PinpointCallObserver } from './pinpoint/transport.js';
import { createSecretBox, loadOrCreateDevKey, parseEncryptionKeys } from './secrets/secret-box.js';
import type { Services } from './services.js';

export function createServices(deps: {
  config: Config;
  database: Database;
  logger: Logger;
  /** Told about every Pinpoint call (the server passes its metrics observer). */
  onPinpointCall?: PinpointCallObserver;
}): Services {
  const { config, database, logger, onPinpointCall } = deps;
  return {
    config,
    database,
    logger,
    secretBox: createSecretBox(parseEncryptionKeys(encryptionKeyFor(config, logger))),
    events: createEventBus(database, logger),
    pinpointClient: (connection) =>
      createPinpointClient({
        baseUrlTemplate: config.pinpoint.baseUrlTemplate,
        domain: connection.domain,
        apiKey: connection.apiKey,
        connectTimeoutMs: config.pinpoint.connectTimeoutMs,
        timeoutMs: connection.timeoutMs ?? config.pinpoint.timeoutMs,
        ...(connection.signal ? { signal: connection.signal } : {}),
        logger: logger.child({ component: 'pinpoint' }),
        ...(onPinpointCall ? { onCall: onPinpointCall } : {}),
      }),
  };
}

/** ENCRYPTION_KEY, or in development a key generated once into DATA_DIR (with a warning). */
function encryptionKeyFor(config: Config, logger: Logger): string {
  if (config.encryptionKey) return config.encryptionKey;
  const { key, created } = loadOrCreateDevKey(config.dataDir);
  logger.warn(
    { dataDir: config.dataDir, created },
    'ENCRYPTION_KEY is not set: using the development key file in DATA_DIR (set ENCRYPTION_KEY in production)',
  );
  return key;
}
