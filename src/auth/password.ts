// Password hashing for system_auth.roles.salted_hash: scrypt (node:crypto, run on libuv's
// thread pool so a login never blocks the event loop) with a per-role random salt.
// Stored form: $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt base64>$<key base64>.
// Also redactPasswords(), which hides password literals in query text for the audit log.

import { scrypt, timingSafeEqual } from 'node:crypto';

export const SCRYPT_LOG2_N = 14; // N = 16384: ~30-60 ms on one core, 16 MiB of memory per hash
export const SCRYPT_R = 8;
export const SCRYPT_P = 1;
export const SALT_BYTES = 16;
export const KEY_BYTES = 32;
/** Limits what a stored hash may ask of the verifier (a hash written by HASHED PASSWORD). */
const SCRYPT_LOG2_N_MAX = 17;
const SCRYPT_MEMORY_BYTES_MAX = 256 * 1024 * 1024;
const PREFIX = '$scrypt$';

interface ScryptParams { log2N: number; r: number; p: number }

function derive(password: string, salt: Buffer, params: ScryptParams, keyBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyBytes, { N: 2 ** params.log2N, r: params.r, p: params.p, maxmem: SCRYPT_MEMORY_BYTES_MAX },
      (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Hashes a password with the given salt (callers draw it from env.random: SALT_BYTES bytes). */
export async function hashPassword(password: string, salt: Buffer): Promise<string> {
  const params = { log2N: SCRYPT_LOG2_N, r: SCRYPT_R, p: SCRYPT_P };
  const key = await derive(password, salt, params, KEY_BYTES);
  return `${PREFIX}ln=${params.log2N},r=${params.r},p=${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

interface ParsedHash { params: ScryptParams; salt: Buffer; key: Buffer }

function parseHash(stored: string): ParsedHash | null {
  if (!stored.startsWith(PREFIX)) return null;
  const [params, salt, key, ...rest] = stored.slice(PREFIX.length).split('$');
  if (params === undefined || salt === undefined || key === undefined || rest.length > 0) return null;
  const m = /^ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})$/.exec(params);
  if (!m) return null;
  const parsed = { log2N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (parsed.log2N < 1 || parsed.log2N > SCRYPT_LOG2_N_MAX || parsed.r < 1 || parsed.p < 1) return null;
  const saltBytes = Buffer.from(salt, 'base64');
  const keyBytes = Buffer.from(key, 'base64');
  if (saltBytes.length === 0 || keyBytes.length < 16 || keyBytes.length > 64) return null;
  return { params: parsed, salt: saltBytes, key: keyBytes };
}

/** Whether a string is a hash this node can verify (for WITH HASHED PASSWORD). */
export function isPasswordHash(stored: string): boolean {
  return parseHash(stored) !== null;
}

/** True when password matches the stored hash; false for a wrong password or an unusable hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = parseHash(stored);
  if (h === null) return false;
  let key: Buffer;
  try {
    key = await derive(password, h.salt, h.params, h.key.length);
  } catch {
    return false;
  }
  return timingSafeEqual(key, h.key);
}

/** What a password literal is replaced with in logged query text. */
export const REDACTED_PASSWORD = '*******';

// PASSWORD [=] '...' (quotes doubled inside) or $$...$$, also after HASHED; case-insensitive.
const PASSWORD_LITERAL = /(\bPASSWORD\s*=?\s*)('(?:[^']|'')*'|\$\$[\s\S]*?\$\$)/gi;

/** Query text with every password literal replaced by '*******' (audit log, errors). */
export function redactPasswords(query: string): string {
  if (!/password/i.test(query)) return query;
  return query.replace(PASSWORD_LITERAL, `$1'${REDACTED_PASSWORD}'`);
}
