// What every operation of one client shares: the company, its API root and the transport options,
// and the three ways to call (read one, write one, decode an answer). Operations are small factories
// over this context (see ../client.ts).
import type { z } from 'zod';
import { type PinpointCallInfo, PinpointResponseError } from '../errors.js';
import { ShapeError } from '../mappers.js';
import { type Resource, singleDocumentSchema } from '../schemas.js';
import { type HttpResult, type PinpointLogger, send, type TransportOptions } from '../transport.js';
import { scrub } from '../transport-errors.js';

export interface ClientContext {
  /** The normalized company domain. */
  readonly domain: string;
  /** The company's base URL, without a trailing slash. */
  readonly baseUrl: string;
  /** `${baseUrl}${API_PREFIX}/`: every request and every followed link stays under it. */
  readonly apiRoot: URL;
  readonly apiKey: string;
  readonly logger?: PinpointLogger;
  readonly transport: TransportOptions;
}

export type Query = Record<string, string | number>;

/** Turns one JSON:API resource (with the document's side-loaded ones) into a client type. */
export type ResourceMapper<T> = (data: Resource, included: Resource[]) => T;

export function urlFor(ctx: ClientContext, path: string, query: Query = {}): URL {
  const url = new URL(`${ctx.apiRoot.href}${path.replace(/^\//, '')}`);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, String(value));
  return url;
}

/** Parses and validates a 2xx body, turning any mismatch into a PinpointResponseError. */
export function decode<S extends z.ZodType, T>(
  ctx: ClientContext,
  result: HttpResult,
  schema: S,
  map: (doc: z.output<S>) => T,
): T {
  let json: unknown;
  try {
    json = JSON.parse(result.text);
  } catch {
    throw responseError(ctx, result, ['body: not JSON']);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw responseError(
      ctx,
      result,
      parsed.error.issues.map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.message}`),
    );
  }
  try {
    return map(parsed.data);
  } catch (error) {
    if (error instanceof ShapeError) throw responseError(ctx, result, error.issues);
    throw error;
  }
}

function responseError(ctx: ClientContext, result: HttpResult, issues: readonly string[]) {
  const call: PinpointCallInfo = result.call;
  return new PinpointResponseError(
    scrub(
      `Pinpoint answered ${call.method} ${call.path} for "${ctx.domain}" with data this client does not understand (${issues.slice(0, 3).join('; ')}).`,
      ctx.apiKey,
    ),
    call,
    result.status,
    issues,
  );
}

export async function getOne<T>(
  ctx: ClientContext,
  path: string,
  query: Query,
  map: ResourceMapper<T>,
): Promise<T> {
  return decode(
    ctx,
    await send(ctx.transport, 'GET', urlFor(ctx, path, query)),
    singleDocumentSchema,
    (doc) => map(doc.data, doc.included),
  );
}

export async function write<T>(
  ctx: ClientContext,
  method: 'POST' | 'PUT',
  path: string,
  body: unknown,
  map: ResourceMapper<T>,
  query: Query = {},
): Promise<T> {
  return decode(
    ctx,
    await send(ctx.transport, method, urlFor(ctx, path, query), body),
    singleDocumentSchema,
    (doc) => map(doc.data, doc.included),
  );
}

export const encodeId = (id: string) => encodeURIComponent(id);
