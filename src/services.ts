// The long-lived collaborators use cases need, built once by the composition root.

import type { Config } from './config.js';
import type { Database } from './db/client.js';
import type { Logger } from './logger.js';

export interface Services {
  readonly config: Config;
  readonly database: Database;
  readonly logger: Logger;
}
