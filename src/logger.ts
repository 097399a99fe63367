// One JSON logger (pino) for the process; secrets are redacted by path as a second line of defence.
// Lines go to stdout through a sink that cannot block exit (pino's default one can, see issue 11).
import { type Logger, pino } from 'pino';
import { nonBlockingDestination } from './log-destination.js';

export type { Logger };

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: [
          'apiKey',
          '*.apiKey',
          'token',
          '*.token',
          'authorization',
          '*.authorization',
          'req.headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? nonBlockingDestination(1),
  );
}
