// The first step of every /graphql HTTP request, before its body is read: who is asking (auth.ts),
// then the token's budget (rate-limit.ts). A throttled address or a token over its budget is answered
// 429 with Retry-After right here, so a refusal costs no body parsing and no GraphQL work. Every other
// outcome goes on to Apollo in res.locals, where the context turns it into a viewer or an error.
import type express from 'express';
import type { RateLimitStatus } from '../app/context.js';
import { RateLimitedError } from '../errors.js';
import { errorResponse } from '../graphql/errors.js';
import { type Authenticator, type AuthOutcome, throttledMessage } from './auth.js';
import { clientAddress } from './client-address.js';
import { rateLimitedMessage, rateLimitHeaders, type TokenRateLimiter } from './rate-limit.js';

/** What the gate hands to the GraphQL context. */
export type GateResult =
  | {
      readonly outcome: Exclude<AuthOutcome, { kind: 'throttled' }>;
      readonly rateLimit: RateLimitStatus | null;
    }
  | { readonly error: unknown };

export function authGate(options: {
  authenticate: Authenticator['authenticate'];
  limiter: TokenRateLimiter | null;
  trustProxyHops: number;
}): express.RequestHandler {
  const { authenticate, limiter } = options;
  return async (req, res, next) => {
    let outcome: AuthOutcome;
    try {
      outcome = await authenticate(req.headers.authorization, clientAddress(req, options.trustProxyHops));
    } catch (error) {
      res.locals.auth = { error } satisfies GateResult;
      next();
      return;
    }
    if (outcome.kind === 'throttled') {
      refuse(res, new RateLimitedError(outcome.retryAfterSeconds, throttledMessage(outcome)));
      return;
    }
    let rateLimit: RateLimitStatus | null = null;
    if (outcome.kind === 'viewer' && limiter) {
      const charge = limiter.charge(outcome.viewer.tokenId);
      res.set(rateLimitHeaders(charge.status));
      if (charge.retryAfterSeconds > 0) {
        refuse(res, new RateLimitedError(charge.retryAfterSeconds, rateLimitedMessage(charge)));
        return;
      }
      rateLimit = charge.status;
    }
    res.locals.auth = { outcome, rateLimit } satisfies GateResult;
    next();
  };
}

function refuse(res: express.Response, error: RateLimitedError): void {
  const { status, body } = errorResponse(error);
  res.status(status).set('Retry-After', String(error.retryAfterSeconds)).json(body);
}
