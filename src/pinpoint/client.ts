// The Pinpoint ATS client: one object per company (domain + API key) exposing the operations the
// sync needs. Every response is zod-checked; every failure is a typed PinpointError. The operations
// live by resource in client/, each a small factory over the shared ClientContext.
import { API_PREFIX } from './api-assumptions.js';
import { type ApplicationOperations, applicationOperations } from './client/applications.js';
import { type CandidateOperations, candidateOperations } from './client/candidates.js';
import { type CommentOperations, commentOperations } from './client/comments.js';
import type { ClientContext } from './client/context.js';
import { type CustomFieldOperations, customFieldOperations } from './client/custom-fields.js';
import { type JobOperations, jobOperations } from './client/jobs.js';
import { normalizePinpointDomain } from './domain.js';
import type { PinpointCallObserver, PinpointLogger, TransportOptions } from './transport.js';

export const DEFAULT_PINPOINT_BASE_URL = 'https://{domain}.pinpointhq.com';

export interface PinpointClientOptions {
  /** e.g. `https://{domain}.pinpointhq.com`, or `http://127.0.0.1:4010/{domain}` for the simulator. */
  readonly baseUrlTemplate: string;
  /** Any form `normalizePinpointDomain` accepts; anything else throws at construction. */
  readonly domain: string;
  readonly apiKey: string;
  readonly connectTimeoutMs: number;
  /** Whole exchange, connect included. */
  readonly timeoutMs: number;
  readonly logger?: PinpointLogger;
  readonly userAgent?: string;
  /** Aborting it cancels every request of this client that is in flight or not yet sent. */
  readonly signal?: AbortSignal;
  /** Told about every finished HTTP call (the composition root passes the metrics observer). */
  readonly onCall?: PinpointCallObserver;
}

export interface PinpointClient
  extends JobOperations,
    CustomFieldOperations,
    CandidateOperations,
    ApplicationOperations,
    CommentOperations {
  readonly domain: string;
  readonly baseUrl: string;
}

export function createPinpointClient(options: PinpointClientOptions): PinpointClient {
  const ctx = clientContext(options);
  return {
    domain: ctx.domain,
    baseUrl: ctx.baseUrl,
    ...jobOperations(ctx),
    ...customFieldOperations(ctx),
    ...candidateOperations(ctx),
    ...applicationOperations(ctx),
    ...commentOperations(ctx),
  };
}

/** Checks the options (a TypeError for a bad domain or template) and derives what calls share. */
function clientContext(options: PinpointClientOptions): ClientContext {
  const domain = normalizePinpointDomain(options.domain);
  if (domain === null) throw new TypeError('createPinpointClient: the domain is not a valid Pinpoint domain');
  if (!options.baseUrlTemplate.includes('{domain}')) {
    throw new TypeError('createPinpointClient: baseUrlTemplate must contain {domain}');
  }
  const baseUrl = options.baseUrlTemplate.replaceAll('{domain}', domain).replace(/\/+$/, '');
  const transport: TransportOptions = {
    domain,
    apiKey: options.apiKey,
    connectTimeoutMs: options.connectTimeoutMs,
    timeoutMs: options.timeoutMs,
    userAgent: options.userAgent ?? 'pinpoint-bff',
    logger: options.logger,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onCall ? { onCall: options.onCall } : {}),
  };
  return {
    domain,
    baseUrl,
    apiRoot: new URL(`${baseUrl}${API_PREFIX}/`),
    apiKey: options.apiKey,
    ...(options.logger ? { logger: options.logger } : {}),
    transport,
  };
}
