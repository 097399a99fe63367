// API tokens: generated once, shown once, stored only as a SHA-256 hash plus a display prefix.
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { CHANNELS, type EventBus, notify } from '../db/notify.js';
import { apiTokensTable, teamsTable, usersTable } from '../db/schema.js';

const TOKEN_PREFIX = 'ppb_';
/** last_used_at is refreshed at most this often, so reads do not become writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

export type Role = 'ADMIN' | 'MEMBER';

export interface Viewer {
  readonly userId: string;
  readonly teamId: string;
  readonly email: string;
  readonly role: Role;
  readonly teamName: string;
  readonly tokenId: string;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * A hash's first 48 bits as a number: what the authenticator's index of known tokens keeps (8 bytes
 * a token instead of a 64-character string; two tokens sharing one costs a lookup, never a wrong answer).
 */
export function hashKey(hash: string): number {
  return Number.parseInt(hash.slice(0, 12), 16);
}

export function generateToken(): { token: string; hash: string; prefix: string } {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token), prefix: token.slice(0, TOKEN_PREFIX.length + 6) };
}

/**
 * Stores a new token's hash. Every instance forgets the hashes it remembered as unknown on the
 * notification (sent on commit), so the new token works at once wherever it is sent.
 */
export async function issueToken(db: DbOrTx, teamId: string, userId: string): Promise<string> {
  const { token, hash, prefix } = generateToken();
  const [row] = await db
    .insert(apiTokensTable)
    .values({ teamId, userId, tokenHash: hash, prefix })
    .returning({ id: apiTokensTable.id });
  await notify(db, CHANNELS.tokenIssued, { tokenId: row!.id });
  return token;
}

/** Parses an `Authorization` value; returns null when absent, 'malformed' when it is not a bearer token. */
export function bearerToken(header: unknown): string | null | 'malformed' {
  if (header === undefined || header === null || header === '') return null;
  if (typeof header !== 'string') return 'malformed';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header.trim());
  return match?.[1] ?? 'malformed';
}

/** Resolves a token to its viewer; null for unknown or revoked tokens. */
export async function authenticateToken(
  db: DbOrTx,
  token: string,
  hash = hashToken(token),
): Promise<Viewer | null> {
  const rows = await db
    .select({
      tokenId: apiTokensTable.id,
      lastUsedAt: apiTokensTable.lastUsedAt,
      userId: usersTable.id,
      teamId: usersTable.teamId,
      email: usersTable.email,
      role: usersTable.role,
      teamName: teamsTable.name,
    })
    .from(apiTokensTable)
    .innerJoin(usersTable, eq(usersTable.id, apiTokensTable.userId))
    .innerJoin(teamsTable, eq(teamsTable.id, usersTable.teamId))
    .where(and(eq(apiTokensTable.tokenHash, hash), isNull(apiTokensTable.revokedAt)))
    .limit(1);
  const row = rows[0];
  if (!row) return null;
  const now = new Date();
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
    await db
      .update(apiTokensTable)
      .set({ lastUsedAt: now })
      .where(
        and(
          eq(apiTokensTable.id, row.tokenId),
          or(isNull(apiTokensTable.lastUsedAt), lt(apiTokensTable.lastUsedAt, stale)),
        ),
      );
  }
  return {
    tokenId: row.tokenId,
    userId: row.userId,
    teamId: row.teamId,
    email: row.email,
    role: row.role,
    teamName: row.teamName,
  };
}

/**
 * Revokes a token given the token itself or its id; returns whether one was revoked. Every
 * instance drops it from its viewer cache on the notification, sent in the same transaction.
 */
export async function revokeToken(db: DbOrTx, tokenOrId: string): Promise<boolean> {
  const isId = /^[0-9a-f-]{36}$/i.test(tokenOrId);
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(apiTokensTable)
      .set({ revokedAt: new Date() })
      .where(
        and(
          isId ? eq(apiTokensTable.id, tokenOrId) : eq(apiTokensTable.tokenHash, hashToken(tokenOrId)),
          isNull(apiTokensTable.revokedAt),
        ),
      )
      .returning({ id: apiTokensTable.id });
    for (const row of rows) await notify(tx, CHANNELS.tokenRevoked, { tokenId: row.id });
    return rows.length > 0;
  });
}

/** hashKey of every token not revoked (the authenticator's index, loaded at start). */
export async function activeTokenKeys(db: DbOrTx): Promise<number[]> {
  const rows = await db
    .select({ hash: apiTokensTable.tokenHash })
    .from(apiTokensTable)
    .where(isNull(apiTokensTable.revokedAt));
  return rows.map((row) => hashKey(row.hash));
}

/** hashKey of one token by id (a token issued on another instance), or null when there is none. */
export async function tokenKey(db: DbOrTx, tokenId: string): Promise<number | null> {
  const rows = await db
    .select({ hash: apiTokensTable.tokenHash })
    .from(apiTokensTable)
    .where(eq(apiTokensTable.id, tokenId))
    .limit(1);
  return rows[0] ? hashKey(rows[0].hash) : null;
}

/** Whether a token still works (a WebSocket authenticated at connect re-checks it while streaming). */
export async function isTokenActive(db: DbOrTx, tokenId: string): Promise<boolean> {
  const rows = await db
    .select({ id: apiTokensTable.id })
    .from(apiTokensTable)
    .where(and(eq(apiTokensTable.id, tokenId), isNull(apiTokensTable.revokedAt)))
    .limit(1);
  return rows.length > 0;
}

/** Calls `listener` with the id of every token revoked on any instance; resolves to an unsubscribe. */
export function onTokenRevoked(events: EventBus, listener: (tokenId: string) => void): Promise<() => void> {
  return events.on(CHANNELS.tokenRevoked, (payload) => listener(payload.tokenId));
}

/** Calls `listener` with the id of every token issued on any instance; resolves to an unsubscribe. */
export function onTokenIssued(events: EventBus, listener: (tokenId: string) => void): Promise<() => void> {
  return events.on(CHANNELS.tokenIssued, (payload) => listener(payload.tokenId));
}
