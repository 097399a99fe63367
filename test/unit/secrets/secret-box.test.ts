// The secret box: sealing and opening, binding to associated data, key rotation, ENCRYPTION_KEY parsing
// and the development key file.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createSecretBox,
  loadOrCreateDevKey,
  parseEncryptionKeys,
  SecretBoxError,
} from '../../../src/secrets/secret-box.js';

const AAD = 'team:7f1c|integration:pinpoint';
const SECRET = 'pp_live_8d3f0a9c41b2';

const key1 = randomBytes(32);
const key2 = randomBytes(32);

/** Runs `fn`, expecting a SecretBoxError with `code` whose message leaks none of `secrets`. */
function expectSecretBoxError(
  fn: () => unknown,
  code: SecretBoxError['code'],
  secrets: string[] = [],
): string {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SecretBoxError);
  const error = caught as SecretBoxError;
  expect(error.code).toBe(code);
  for (const secret of [SECRET, key1.toString('base64'), key1.toString('hex'), ...secrets]) {
    expect(error.message).not.toContain(secret);
  }
  return error.message;
}

/** Replaces one character of part `index` of a sealed string with another base64url character. */
function tamper(sealed: string, index: number, at = 0): string {
  const parts = sealed.split(':');
  const part = parts[index]!;
  const position = Math.min(at, part.length - 1);
  const replacement = part[position] === 'A' ? 'B' : 'A';
  parts[index] = part.slice(0, position) + replacement + part.slice(position + 1);
  return parts.join(':');
}

describe('createSecretBox', () => {
  const box = createSecretBox({ keys: { 1: key1 }, currentVersion: 1 });

  it('opens what it sealed, for any text and associated data', () => {
    expect(box.decrypt(box.encrypt(SECRET, AAD), AAD)).toBe(SECRET);
    expect(box.decrypt(box.encrypt('', AAD), AAD)).toBe('');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string(), (plaintext, aad) => {
        expect(box.decrypt(box.encrypt(plaintext, aad), aad)).toBe(plaintext);
      }),
      { numRuns: 200 },
    );
  });

  it('seals in the compact versioned format with a 96-bit nonce', () => {
    const sealed = box.encrypt(SECRET, AAD);
    expect(sealed).toMatch(/^v1:1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/);
    const [, , nonce, body] = sealed.split(':');
    expect(Buffer.from(nonce!, 'base64url')).toHaveLength(12);
    // Ciphertext is as long as the UTF-8 plaintext, followed by the 16-byte tag.
    expect(Buffer.from(body!, 'base64url')).toHaveLength(Buffer.byteLength(SECRET) + 16);
    expect(sealed).not.toContain(SECRET);
    expect(box.keyVersionOf(sealed)).toBe(1);
  });

  it('uses a fresh nonce every time, so the same secret never seals the same way twice', () => {
    const sealed = Array.from({ length: 50 }, () => box.encrypt(SECRET, AAD));
    expect(new Set(sealed.map((s) => s.split(':')[2])).size).toBe(50);
    expect(new Set(sealed).size).toBe(50);
  });

  it('refuses to open a secret with other associated data', () => {
    const sealed = box.encrypt(SECRET, AAD);
    const message = expectSecretBoxError(
      () => box.decrypt(sealed, 'team:other|integration:pinpoint'),
      'DECRYPT_FAILED',
      [AAD, sealed],
    );
    expect(message).toMatch(/could not be decrypted/);
    expectSecretBoxError(() => box.decrypt(sealed, ''), 'DECRYPT_FAILED');
  });

  it('refuses a secret whose nonce, ciphertext or tag was altered', () => {
    const sealed = box.encrypt(SECRET, AAD);
    const bodyLength = sealed.split(':')[3]!.length;
    for (const altered of [tamper(sealed, 2), tamper(sealed, 3), tamper(sealed, 3, bodyLength - 2)]) {
      expect(altered).not.toBe(sealed);
      expectSecretBoxError(() => box.decrypt(altered, AAD), 'DECRYPT_FAILED', [sealed]);
    }
  });

  it('refuses a secret whose key version was edited to another configured key', () => {
    const both = createSecretBox({ keys: { 1: key1, 2: key2 }, currentVersion: 1 });
    const sealed = both.encrypt(SECRET, AAD);
    expectSecretBoxError(() => both.decrypt(sealed.replace(/^v1:1:/, 'v1:2:'), AAD), 'DECRYPT_FAILED');
  });

  it('rejects strings that are not sealed secrets without trying to decrypt them', () => {
    const sealed = box.encrypt(SECRET, AAD);
    const [, , nonce, body] = sealed.split(':');
    for (const bad of [
      '',
      SECRET,
      sealed.replace(/^v1:/, 'v2:'),
      sealed.replace(/^v1:1:/, 'v1:01:'),
      sealed.replace(/^v1:1:/, 'v1:0:'),
      `v1:1:${nonce}`,
      `${sealed}:extra`,
      `v1:1:${nonce}:${body!.slice(0, 20)}`,
      `v1:1:${nonce!.slice(0, 8)}:${body}`,
      `v1:1:${nonce}:${body}==`,
    ]) {
      expectSecretBoxError(() => box.decrypt(bad, AAD), 'MALFORMED', [sealed]);
    }
  });

  it('keeps opening secrets sealed with an old key after rotation, and seals new ones with the new key', () => {
    const before = createSecretBox({ keys: new Map([[1, key1]]), currentVersion: 1 });
    const old = before.encrypt(SECRET, AAD);

    const after = createSecretBox({
      keys: new Map([
        [1, key1],
        [2, key2],
      ]),
      currentVersion: 2,
    });
    expect(after.decrypt(old, AAD)).toBe(SECRET);
    const fresh = after.encrypt(SECRET, AAD);
    expect(fresh).toMatch(/^v1:2:/);
    expect(after.keyVersionOf(old)).toBe(1);
    expect(after.keyVersionOf(fresh)).toBe(2);
    expect(after.decrypt(fresh, AAD)).toBe(SECRET);

    // A process still on the old configuration cannot read the new secrets and says why.
    const message = expectSecretBoxError(() => before.decrypt(fresh, AAD), 'UNKNOWN_KEY_VERSION');
    expect(message).toContain('key version 2');
  });

  it('keeps its own copy of the keys', () => {
    const key = Buffer.from(key1);
    const own = createSecretBox({ keys: { 1: key }, currentVersion: 1 });
    const sealed = own.encrypt(SECRET, AAD);
    key.fill(0);
    expect(own.decrypt(sealed, AAD)).toBe(SECRET);
  });

  it('rejects keys of the wrong size, bad versions and a current version without a key', () => {
    expectSecretBoxError(
      () => createSecretBox({ keys: { 1: randomBytes(16) }, currentVersion: 1 }),
      'INVALID_KEY',
    );
    expectSecretBoxError(() => createSecretBox({ keys: { 0: key1 }, currentVersion: 0 }), 'INVALID_KEY');
    expectSecretBoxError(
      () => createSecretBox({ keys: new Map([[1.5, key1]]), currentVersion: 1.5 }),
      'INVALID_KEY',
    );
    expectSecretBoxError(() => createSecretBox({ keys: { 1: key1 }, currentVersion: 2 }), 'INVALID_KEY');
  });
});

describe('parseEncryptionKeys', () => {
  it('reads one base64 key as version 1', () => {
    const parsed = parseEncryptionKeys(` ${key1.toString('base64')}\n`);
    expect(parsed.currentVersion).toBe(1);
    expect([...parsed.keys.keys()]).toEqual([1]);
    expect(parsed.keys.get(1)!.equals(key1)).toBe(true);
  });

  it('reads one key as 64 hex characters or URL-safe base64', () => {
    expect(parseEncryptionKeys(key1.toString('hex')).keys.get(1)!.equals(key1)).toBe(true);
    expect(parseEncryptionKeys(key1.toString('base64url')).keys.get(1)!.equals(key1)).toBe(true);
  });

  it('reads numbered keys and makes the highest version current, in any order', () => {
    const parsed = parseEncryptionKeys(`2:${key2.toString('base64')}, 1:${key1.toString('hex')}`);
    expect(parsed.currentVersion).toBe(2);
    expect(parsed.keys.get(1)!.equals(key1)).toBe(true);
    expect(parsed.keys.get(2)!.equals(key2)).toBe(true);
    expect(parseEncryptionKeys(`3:${key1.toString('base64')}`).currentVersion).toBe(3);
  });

  it('feeds createSecretBox directly', () => {
    const box = createSecretBox(
      parseEncryptionKeys(`1:${key1.toString('base64')},2:${key2.toString('base64')}`),
    );
    expect(box.encrypt(SECRET, AAD)).toMatch(/^v1:2:/);
  });

  it.each([
    ['an empty value', '   ', /is empty/],
    ['a key of the wrong length', randomBytes(16).toString('base64'), /decodes to 16 bytes, not 32/],
    [
      'a value that is neither base64 nor hex',
      `${key1.toString('base64').slice(0, 40)}!!`,
      /neither base64 nor hex/,
    ],
    ['an entry without a version', `1:${key1.toString('base64')},${key2.toString('base64')}`, /entry 2 of 2/],
    ['version 0', `0:${key1.toString('base64')}`, /not a positive integer/],
    ['a repeated version', `1:${key1.toString('base64')},1:${key2.toString('base64')}`, /repeats version 1/],
    ['a trailing comma', `1:${key1.toString('base64')},`, /entry 2 of 2/],
    [
      'a short numbered key',
      `1:${key1.toString('base64')},2:${key2.toString('hex').slice(2)}`,
      /entry 2 of 2/,
    ],
  ])('rejects %s with a message that names ENCRYPTION_KEY and not the value', (_name, value, detail) => {
    const message = expectSecretBoxError(() => parseEncryptionKeys(value), 'INVALID_KEY', [
      key2.toString('base64'),
      key2.toString('hex').slice(2),
    ]);
    expect(message).toMatch(/^ENCRYPTION_KEY /);
    expect(message).toMatch(detail);
    if (value.trim()) expect(message).not.toContain(value.trim());
  });
});

describe('loadOrCreateDevKey', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'secret-box-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('creates a private key file once, in a directory it creates, and reuses it afterwards', () => {
    const dataDir = path.join(tempDir(), 'nested', '.data');
    const first = loadOrCreateDevKey(dataDir);
    expect(first.created).toBe(true);
    expect(parseEncryptionKeys(first.key).keys.get(1)).toHaveLength(32);

    const file = path.join(dataDir, 'encryption.key');
    expect(readFileSync(file, 'utf8').trim()).toBe(first.key);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);

    const second = loadOrCreateDevKey(dataDir);
    expect(second).toEqual({ key: first.key, created: false });
  });

  it('gives each data directory its own key', () => {
    expect(loadOrCreateDevKey(tempDir()).key).not.toBe(loadOrCreateDevKey(tempDir()).key);
  });

  it('reports a corrupt key file without printing its content', () => {
    const dataDir = tempDir();
    writeFileSync(path.join(dataDir, 'encryption.key'), 'not-a-key-at-all');
    const message = expectSecretBoxError(() => loadOrCreateDevKey(dataDir), 'INVALID_KEY', [
      'not-a-key-at-all',
    ]);
    expect(message).toContain('encryption.key');
  });
});
