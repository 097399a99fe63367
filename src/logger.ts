// One JSON logger (pino) for the process; secrets are redacted by path as a second line of defence,
// errors are logged without the values their SQL ran with, and lines go to stdout through a sink
// that cannot block exit (pino's default one can, see issue 11).
import { type Logger, pino } from 'pino';
import { nonBlockingDestination } from './log-destination.js';

export type { Logger };

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      serializers: { err: serializeError },
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

/** Error fields that hold values a statement was run with (contact data, token hashes). */
const VALUE_FIELDS = new Set(['parameters', 'params', 'args', 'detail']);

/**
 * pino's error serializer without SQL parameters: drops postgres.js's `parameters`/`args` and its
 * `detail` (which quotes key values), drizzle's `params` and the "params: …" tail of its "Failed
 * query" message and stack; keeps the statement and logs how many parameters it had.
 */
export function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  return scrub(pino.stdSerializers.err(err) as unknown as Record<string, unknown>, 0);
}

function scrub(fields: Record<string, unknown>, depth: number): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  let parameterCount: number | undefined;
  for (const [key, value] of Object.entries(fields)) {
    if (VALUE_FIELDS.has(key)) {
      if (Array.isArray(value) && key !== 'detail') parameterCount ??= value.length;
      continue;
    }
    if (typeof value === 'string' && (key === 'message' || key === 'stack')) {
      kept[key] = value.replace(/\nparams: [\s\S]*?(?=\n\s+at |$)/, '');
    } else if (value && typeof value === 'object' && !Array.isArray(value) && depth < 5) {
      kept[key] = scrub(value as Record<string, unknown>, depth + 1);
    } else {
      kept[key] = value;
    }
  }
  if (parameterCount !== undefined) kept.parameterCount = parameterCount;
  return kept;
}
