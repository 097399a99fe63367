// The caller's API token budget, as GitHub's `rateLimit` field shows it (the same numbers as the
// RateLimit-* headers of this response).
import type { RateLimitStatus } from '../../app/context.js';
import { builder } from '../builder.js';

const RateLimitRef = builder.objectRef<RateLimitStatus>('RateLimit').implement({
  description:
    'Your API token’s request budget. Every HTTP request and every WebSocket operation costs 1; over the limit, requests fail with HTTP 429, a `Retry-After` header and the error code `RATE_LIMITED` until `resetAt`. Each server instance counts separately. HTTP responses carry the same numbers in the `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds) headers.',
  fields: (t) => ({
    limit: t.exposeInt('limit', { description: 'Requests allowed per window.' }),
    cost: t.exposeInt('cost', { description: 'What this request cost (always 1).' }),
    used: t.exposeInt('used', { description: 'Requests counted in the current window, this one included.' }),
    remaining: t.exposeInt('remaining', {
      description: 'Requests left in the current window after this one.',
    }),
    resetAt: t.field({
      type: 'DateTime',
      description: 'When the window ends and `remaining` returns to `limit`.',
      resolve: (status) => status.resetAt,
    }),
  }),
});

builder.queryField('rateLimit', (t) =>
  t.field({
    type: RateLimitRef,
    nullable: true,
    description:
      'Your API token’s request budget after this request. Null without a token, or when the server sets no per-token limit. Any authenticated user (anonymous callers get null).',
    resolve: (_root, _args, ctx) => ctx.rateLimit ?? null,
  }),
);
