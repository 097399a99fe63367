// Encryption of secrets at rest (integration API keys): AES-256-GCM bound to the row it belongs to through
// associated data, with numbered keys so ENCRYPTION_KEY can be rotated while old ciphertexts still open.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const FORMAT = 'v1';
const KEY_BYTES = 32;
// 96-bit nonces are GCM's native size; random ones stay safe for far more secrets than we will store per key.
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const DEV_KEY_FILE = 'encryption.key';

export type SecretBoxErrorCode =
  /** Not a sealed string this version of the code can read. */
  | 'MALFORMED'
  /** Sealed with a key version that is not configured (a key was removed from ENCRYPTION_KEY too early). */
  | 'UNKNOWN_KEY_VERSION'
  /** Tampered with, or sealed for other associated data. */
  | 'DECRYPT_FAILED'
  /** ENCRYPTION_KEY, the key map or the development key file is unusable. */
  | 'INVALID_KEY';

/** Messages name what is wrong, never a plaintext, a key, a ciphertext or associated data. */
export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
  constructor(
    readonly code: SecretBoxErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface SecretBoxKeys {
  readonly keys: ReadonlyMap<number, Buffer> | Readonly<Record<number, Buffer>>;
  /** The version new secrets are sealed with; every other key is kept only to open older ones. */
  readonly currentVersion: number;
}

export interface SecretBox {
  /** Seals `plaintext` for `aad` (e.g. `team:<id>|integration:<id>`): `v1:<keyVersion>:<nonce>:<ciphertext+tag>`. */
  encrypt(plaintext: string, aad: string): string;
  /** Opens a sealed string; throws SecretBoxError unless it was sealed for exactly this `aad`. */
  decrypt(sealed: string, aad: string): string;
  /** The key version a sealed string uses, so a rotation job can find what to re-seal. */
  keyVersionOf(sealed: string): number;
  readonly currentVersion: number;
}

interface Parsed {
  readonly version: number;
  readonly nonce: Buffer;
  readonly body: Buffer;
}

const VERSION = /^[1-9]\d{0,8}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function malformed(): SecretBoxError {
  return new SecretBoxError('MALFORMED', `Not a sealed secret in the ${FORMAT} format.`);
}

function parseSealed(sealed: string): Parsed {
  const parts = sealed.split(':');
  if (parts.length !== 4) throw malformed();
  const [format, version, nonce, body] = parts as [string, string, string, string];
  if (format !== FORMAT || !VERSION.test(version) || !BASE64URL.test(nonce) || !BASE64URL.test(body)) {
    throw malformed();
  }
  const parsed = {
    version: Number(version),
    nonce: Buffer.from(nonce, 'base64url'),
    body: Buffer.from(body, 'base64url'),
  };
  if (parsed.nonce.length !== NONCE_BYTES || parsed.body.length < TAG_BYTES) throw malformed();
  return parsed;
}

/**
 * The format and key version go into the authenticated data too, so the header cannot be edited without
 * detection; `aad` comes last, so no choice of it can imitate another header.
 */
function associatedData(version: number, aad: string): Buffer {
  return Buffer.from(`${FORMAT}:${version}|${aad}`, 'utf8');
}

function checkKeyVersion(version: number, what: string): void {
  if (!Number.isSafeInteger(version) || version < 1 || !VERSION.test(String(version))) {
    throw new SecretBoxError('INVALID_KEY', `${what}: key versions must be positive integers.`);
  }
}

export function createSecretBox(options: SecretBoxKeys): SecretBox {
  const entries =
    options.keys instanceof Map
      ? [...options.keys.entries()]
      : Object.entries(options.keys).map(([version, key]): [number, Buffer] => [Number(version), key]);
  const keys = new Map<number, Buffer>();
  for (const [version, key] of entries) {
    checkKeyVersion(version, 'Secret box');
    if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
      throw new SecretBoxError(
        'INVALID_KEY',
        `Secret box: key version ${version} must be ${KEY_BYTES} bytes.`,
      );
    }
    // A private copy: the caller's buffer may be reused or zeroed after this returns.
    keys.set(version, Buffer.from(key));
  }
  const { currentVersion } = options;
  const currentKey = keys.get(currentVersion);
  if (!currentKey) {
    throw new SecretBoxError('INVALID_KEY', `Secret box: no key for the current version ${currentVersion}.`);
  }

  return {
    currentVersion,

    encrypt(plaintext, aad) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', currentKey, nonce, { authTagLength: TAG_BYTES });
      cipher.setAAD(associatedData(currentVersion, aad));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return [FORMAT, currentVersion, nonce.toString('base64url'), body.toString('base64url')].join(':');
    },

    decrypt(sealed, aad) {
      const { version, nonce, body } = parseSealed(sealed);
      const key = keys.get(version);
      if (!key) {
        throw new SecretBoxError(
          'UNKNOWN_KEY_VERSION',
          `The secret was sealed with key version ${version}, which is not configured in ENCRYPTION_KEY.`,
        );
      }
      // authTagLength pins the tag size: without it, GCM would accept a truncated (weaker) tag.
      const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(associatedData(version, aad));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      try {
        const plaintext = Buffer.concat([
          decipher.update(body.subarray(0, body.length - TAG_BYTES)),
          decipher.final(),
        ]);
        return plaintext.toString('utf8');
      } catch {
        // OpenSSL's own message adds nothing and must not become a habit of forwarding crypto errors.
        throw new SecretBoxError(
          'DECRYPT_FAILED',
          'The secret could not be decrypted: it was altered, or it belongs to another record.',
        );
      }
    },

    keyVersionOf(sealed) {
      return parseSealed(sealed).version;
    },
  };
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/_-]+={0,2}$/;
const KEY_HELP = `${KEY_BYTES} random bytes as base64 (openssl rand -base64 32) or 64 hex characters`;

function invalidKeys(detail: string): SecretBoxError {
  // Only positions and sizes are described: the value itself is a secret and must not reach logs.
  return new SecretBoxError(
    'INVALID_KEY',
    `ENCRYPTION_KEY ${detail}. Expected ${KEY_HELP}, or numbered keys like "1:<base64>,2:<base64>" (the highest number encrypts).`,
  );
}

function decodeKey(text: string, where: string): Buffer {
  if (HEX_KEY.test(text)) return Buffer.from(text, 'hex');
  if (!BASE64_KEY.test(text)) throw invalidKeys(`${where} is neither base64 nor hex`);
  // Node's base64 decoder also reads the URL-safe alphabet, so either spelling works.
  const key = Buffer.from(text, 'base64');
  if (key.length !== KEY_BYTES)
    throw invalidKeys(`${where} decodes to ${key.length} bytes, not ${KEY_BYTES}`);
  return key;
}

/** Reads the ENCRYPTION_KEY value: one key (version 1) or a comma list of `<version>:<key>`. */
export function parseEncryptionKeys(value: string): { keys: Map<number, Buffer>; currentVersion: number } {
  const trimmed = value.trim();
  if (trimmed === '') throw invalidKeys('is empty');
  // Base64 and hex never contain ':', so a colon means the numbered form.
  if (!trimmed.includes(':') && !trimmed.includes(',')) {
    return { keys: new Map([[1, decodeKey(trimmed, 'the key')]]), currentVersion: 1 };
  }
  const keys = new Map<number, Buffer>();
  const entries = trimmed.split(',');
  entries.forEach((raw, index) => {
    const where = `entry ${index + 1} of ${entries.length}`;
    const match = /^\s*(\d+)\s*:\s*(\S+)\s*$/.exec(raw);
    if (!match) throw invalidKeys(`${where} is not "<version>:<key>"`);
    const version = Number(match[1]);
    if (!VERSION.test(String(version))) {
      throw invalidKeys(`${where} has a version that is not a positive integer`);
    }
    if (keys.has(version)) throw invalidKeys(`${where} repeats version ${version}`);
    keys.set(version, decodeKey(match[2]!, `${where} (version ${version})`));
  });
  return { keys, currentVersion: Math.max(...keys.keys()) };
}

/**
 * Development only: the key in `<dataDir>/encryption.key`, created (mode 0600) on first use so a local
 * database's secrets survive restarts without anyone setting ENCRYPTION_KEY.
 */
export function loadOrCreateDevKey(dataDir: string): { key: string; created: boolean } {
  const file = path.join(dataDir, DEV_KEY_FILE);
  let created = false;
  let key = readKeyFile(file);
  if (key === null) {
    mkdirSync(dataDir, { recursive: true });
    const fresh = randomBytes(KEY_BYTES).toString('base64');
    try {
      // 'wx' fails if the file appeared meanwhile (a second process starting): then that key wins.
      writeFileSync(file, `${fresh}\n`, { mode: 0o600, flag: 'wx' });
      key = fresh;
      created = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      key = readKeyFile(file) ?? '';
    }
  }
  try {
    parseEncryptionKeys(key);
  } catch {
    throw new SecretBoxError(
      'INVALID_KEY',
      `${file} does not hold a usable key (${KEY_HELP}). Deleting it creates a new one, but secrets sealed with the old key become unreadable.`,
    );
  }
  return { key, created };
}

function readKeyFile(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
