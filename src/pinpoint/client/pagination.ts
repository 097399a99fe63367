// Reading a whole list: follows `links.next` when it stays on our API root, otherwise pages by
// number until a short page; unreadable items either fail the call or are skipped and logged.
import { PAGINATION } from '../api-assumptions.js';
import { PinpointListTooLongError } from '../errors.js';
import { ShapeError } from '../mappers.js';
import { listDocumentSchema, type Resource, resourceSchema } from '../schemas.js';
import { send } from '../transport.js';
import { type ClientContext, decode, type Query, type ResourceMapper, urlFor } from './context.js';

export interface ListLimits {
  readonly pageSize?: number;
  readonly maxPages?: number;
  /** Throw PinpointListTooLongError rather than answer part of a list longer than `maxPages`. */
  readonly complete?: boolean;
  /** Leave out (and log) items that cannot be read instead of failing the call. */
  readonly skipUnreadable?: boolean;
}

interface Page<T> {
  readonly items: T[];
  readonly next: string | null | undefined;
  readonly count: number;
}

export async function getAll<T>(
  ctx: ClientContext,
  path: string,
  query: Query,
  map: ResourceMapper<T>,
  limits: ListLimits = {},
): Promise<T[]> {
  const pageSize = pageSizeOf(limits);
  const maxPages = limits.maxPages ?? PAGINATION.defaultMaxPages;
  const fullPath = `${ctx.apiRoot.pathname}${path}`;
  const pageUrl = (pageNumber: number) =>
    urlFor(ctx, path, { ...query, [PAGINATION.numberParam]: pageNumber, [PAGINATION.sizeParam]: pageSize });
  const results: T[] = [];
  let pageNumber: number = PAGINATION.firstPage;
  let url = pageUrl(pageNumber);
  const seen = new Set<string>();
  for (let page = 1; page <= maxPages; page++) {
    seen.add(url.href);
    const doc = await readPage(ctx, url, fullPath, limits.skipUnreadable === true, map);
    results.push(...doc.items);
    const next = nextPageUrl(ctx.apiRoot, doc.next);
    if (next) {
      if (seen.has(next.href)) break;
      url = next;
    } else {
      if (doc.count < pageSize) return results;
      pageNumber += 1;
      url = pageUrl(pageNumber);
    }
    if (page === maxPages) stopAtMaxPages(ctx, fullPath, maxPages, limits.complete);
  }
  return results;
}

function pageSizeOf(limits: ListLimits): number {
  return Math.min(Math.max(1, Math.floor(limits.pageSize ?? PAGINATION.maxPageSize)), PAGINATION.maxPageSize);
}

async function readPage<T>(
  ctx: ClientContext,
  url: URL,
  fullPath: string,
  skip: boolean,
  map: ResourceMapper<T>,
): Promise<Page<T>> {
  const result = await send(ctx.transport, 'GET', url);
  return decode(ctx, result, listDocumentSchema, (d) => ({
    items: d.data.flatMap((raw, index) =>
      readItem(ctx, raw, index, fullPath, skip, (r) => map(r, d.included)),
    ),
    next: d.links.next,
    count: d.data.length,
  }));
}

/** The last allowed page was read and the list goes on: fail when asked to, else warn. */
function stopAtMaxPages(ctx: ClientContext, fullPath: string, maxPages: number, complete?: boolean): void {
  if (complete) {
    throw new PinpointListTooLongError({ method: 'GET', path: fullPath, outcomeUnknown: false }, maxPages);
  }
  ctx.logger?.warn({ path: fullPath, maxPages }, 'pinpoint pagination stopped at maxPages');
}

/**
 * One list item, checked on its own. With `skip`, an unreadable one is logged (type, id and
 * what was wrong, never its values) and left out; without, it fails the whole call.
 */
function readItem<T>(
  ctx: ClientContext,
  raw: unknown,
  index: number,
  path: string,
  skip: boolean,
  map: (r: Resource) => T,
): T[] {
  let issues: readonly string[];
  const parsed = resourceSchema.safeParse(raw);
  if (parsed.success) {
    try {
      return [map(parsed.data)];
    } catch (error) {
      if (!(error instanceof ShapeError)) throw error;
      issues = error.issues;
    }
  } else {
    issues = parsed.error.issues.map((i) => `data.${index}.${i.path.map(String).join('.')}: ${i.message}`);
  }
  if (!skip) throw new ShapeError(issues);
  ctx.logger?.warn(
    { path, index, id: parsed.success ? parsed.data.id : null, issues: issues.slice(0, 5) },
    'pinpoint record skipped: unreadable',
  );
  return [];
}

function nextPageUrl(apiRoot: URL, next: string | null | undefined): URL | null {
  if (!next) return null;
  let url: URL;
  try {
    url = new URL(next, apiRoot);
  } catch {
    return null;
  }
  // Never send the key to another host, whatever the server links to.
  return url.origin === apiRoot.origin && url.pathname.startsWith(apiRoot.pathname) ? url : null;
}
