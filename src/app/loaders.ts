// Per-request DataLoaders over the read model (src/db/queries): the GraphQL layer gets one set per
// request (`loadersOf(ctx)`), each scoped by the viewer's team. Lists are paged by keyset cursors.
import { createContextCache, initContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import type { DbOrTx } from '../db/client.js';
import { encodeCursor, type Page, type PageArgs } from '../db/queries/pages.js';
import {
  campaignContactCounts,
  campaignContactPages,
  campaignContactsById,
  campaignsById,
  contactsById,
  inKeyOrder,
  loadTeamSettings,
  pinpointDomainOf,
  type UserWithSettings,
  usersWithSettingsById,
} from '../db/queries/reads.js';
import type { CampaignContactRow, CampaignRow, ContactRow, UserRow } from '../db/queries/rows.js';
import type { TeamSettingsRecord } from '../db/queries/stored-settings.js';
import type { UserSyncSettings } from '../domain/types.js';
import { type AppContext, viewerOf } from './context.js';

export {
  type Cursor,
  DEFAULT_PAGE_SIZE,
  decodeCursor,
  encodeCursor,
  MAX_PAGE_SIZE,
  type Page,
  type PageArgs,
  pageArgs,
  toPage,
} from '../db/queries/pages.js';
export type { CampaignContactRow, CampaignRow, ContactRow } from '../db/queries/rows.js';

interface PageKey {
  readonly campaignId: string;
  readonly page: PageArgs;
}

const pageGroup = (page: PageArgs) => `${page.first}|${page.after ? encodeCursor(page.after) : ''}`;

/** Everything per-item reads go through; one instance per request (or per sync batch). */
export interface Loaders {
  readonly teamId: string;
  readonly contacts: DataLoader<string, ContactRow | null>;
  /** Contacts this request already read (with pages of campaign contacts): answered without waiting. */
  readonly contactRows: ReadonlyMap<string, ContactRow>;
  readonly campaigns: DataLoader<string, CampaignRow | null>;
  readonly campaignContacts: DataLoader<string, CampaignContactRow | null>;
  /** Users of the team (campaign owners). */
  readonly users: DataLoader<string, UserRow | null>;
  /** Personal defaults per user (`{}` for users without any). */
  readonly userSettings: DataLoader<string, UserSyncSettings>;
  readonly campaignContactPages: DataLoader<PageKey, Page<CampaignContactRow>, string>;
  readonly campaignContactCounts: DataLoader<string, number>;
  /** The team's settings and field mappings, read once. */
  teamSettings(): Promise<TeamSettingsRecord>;
  /** The team's Pinpoint subdomain (null when never connected), read once. */
  pinpointDomain(): Promise<string | null>;
}

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => {
    promise ??= load();
    return promise;
  };
}

export function createLoaders(db: DbOrTx, teamId: string): Loaders {
  const contactRows = new Map<string, ContactRow>();
  const contacts = new DataLoader<string, ContactRow | null>(async (ids) =>
    inKeyOrder(ids, await contactsById(db, teamId, ids)),
  );
  // Users and their personal defaults are read together (one statement for both loaders).
  const usersWithSettings = new DataLoader<string, UserWithSettings | null>(async (ids) => {
    const rows = await usersWithSettingsById(db, teamId, ids);
    const byId = new Map(rows.map((row) => [row.user.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
  return {
    teamId,
    contacts,
    contactRows,
    campaigns: new DataLoader(async (ids) => inKeyOrder(ids, await campaignsById(db, teamId, ids))),
    campaignContacts: new DataLoader(async (ids) =>
      inKeyOrder(ids, await campaignContactsById(db, teamId, ids)),
    ),
    users: new DataLoader(async (ids) =>
      (await usersWithSettings.loadMany(ids)).map((row) =>
        row instanceof Error ? row : (row?.user ?? null),
      ),
    ),
    userSettings: new DataLoader(async (ids) =>
      (await usersWithSettings.loadMany(ids)).map((row) =>
        row instanceof Error ? row : (row?.settings ?? {}),
      ),
    ),
    campaignContactPages: pagesLoader(db, teamId, (contact) => {
      contacts.prime(contact.id, contact);
      contactRows.set(contact.id, contact);
    }),
    campaignContactCounts: new DataLoader(async (ids) => {
      const counts = await campaignContactCounts(db, teamId, ids);
      return ids.map((id) => counts.get(id) ?? 0);
    }),
    teamSettings: once(() => loadTeamSettings(db, teamId)),
    pinpointDomain: once(() => pinpointDomainOf(db, teamId)),
  };
}

/** Pages of several campaigns (one statement per page size and cursor); primes the rows' contacts. */
function pagesLoader(
  db: DbOrTx,
  teamId: string,
  onContact: (contact: ContactRow) => void,
): DataLoader<PageKey, Page<CampaignContactRow>, string> {
  return new DataLoader(
    async (keys) => {
      const groups = new Map<string, { page: PageArgs; ids: string[] }>();
      for (const key of keys) {
        const group = groups.get(pageGroup(key.page)) ?? { page: key.page, ids: [] };
        group.ids.push(key.campaignId);
        groups.set(pageGroup(key.page), group);
      }
      const pages = new Map<string, Page<CampaignContactRow>>();
      for (const [groupKey, group] of groups) {
        const loaded = await campaignContactPages(db, teamId, group.ids, group.page);
        for (const [id, page] of loaded.pages) pages.set(`${groupKey}#${id}`, page);
        for (const contact of loaded.contacts) onContact(contact);
      }
      return keys.map(
        (key) =>
          pages.get(`${pageGroup(key.page)}#${key.campaignId}`) ?? {
            rows: [],
            cursors: [],
            hasNextPage: false,
          },
      );
    },
    { cacheKeyFn: (key) => `${pageGroup(key.page)}#${key.campaignId}` },
  );
}

const sharedLoaders = new WeakMap<AppContext, Loaders>();

/** The request's loaders, keyed by the viewer's team (created on first use, dropped with the request). */
export const loadersOf: (ctx: AppContext) => Loaders = createContextCache(
  (ctx: AppContext) => sharedLoaders.get(ctx) ?? createLoaders(ctx.db, viewerOf(ctx).teamId),
);

/**
 * Resolves the next subscription event through `loaders`, which every subscriber of the event's
 * team shares, so what they select is read once per event, not once per subscriber.
 */
export function useSharedLoaders(ctx: AppContext, loaders: Loaders): void {
  if (loaders.teamId !== viewerOf(ctx).teamId) throw new Error('shared loaders of another team');
  Object.assign(ctx, initContextCache()); // a fresh Pothos cache: loadersOf runs again for this event
  sharedLoaders.set(ctx, loaders);
}

/** Keeps rows a use case just read or wrote in the request's cache, so resolvers do not read them again. */
export function primeRows<T extends { id: string }>(
  loader: DataLoader<string, T | null>,
  rows: readonly T[],
) {
  for (const row of rows) loader.clear(row.id).prime(row.id, row);
}
