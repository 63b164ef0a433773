// API keys: "cv1.<keyId>.<secret>". The id is public (logs, lookups, audit records); the
// 256-bit secret is shown once and only its SHA-256 is stored. A slow hash buys nothing
// against a 256-bit random secret, and a fast one keeps the request path cheap.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { base32 } from '../core/base32';
import type { KeyKind } from '../core/model';
import { required } from '../core/required';

const KIND_PREFIX: Record<KeyKind, string> = { partner: 'pk', admin: 'ak', operator: 'ok' };
const KEY_PATTERN = /^cv1\.((?:pk|ak|ok)-[a-z2-7]{16})\.([A-Za-z0-9_-]{43})$/;

export interface ParsedKey {
  keyId: string;
  secret: string;
}

export interface NewKey {
  keyId: string;
  /** The whole key string, to be shown to its owner exactly once. */
  apiKey: string;
  secretHash: string;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function generateKey(kind: KeyKind): NewKey {
  const keyId = `${KIND_PREFIX[kind]}-${base32(randomBytes(16))}`;
  const secret = randomBytes(32).toString('base64url');
  return { keyId, apiKey: `cv1.${keyId}.${secret}`, secretHash: hashSecret(secret) };
}

export function parseKey(apiKey: string): ParsedKey | undefined {
  const match = KEY_PATTERN.exec(apiKey);
  if (!match) return undefined;
  return { keyId: required(match[1], 'API key id group'), secret: required(match[2], 'API key secret group') };
}

export function kindOfKeyId(keyId: string): KeyKind | undefined {
  const prefix = keyId.slice(0, 2);
  return (Object.keys(KIND_PREFIX) as KeyKind[]).find((kind) => KIND_PREFIX[kind] === prefix);
}

export function secretMatches(secret: string, secretHash: string): boolean {
  const expected = Buffer.from(secretHash, 'hex');
  const actual = createHash('sha256').update(secret, 'utf8').digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** The key from an Authorization header: "Bearer <key>", or the bare key where allowed (container route). */
export function keyFromAuthorization(header: string | undefined, allowBare = false): string | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  const bearer = /^Bearer\s+(\S+)$/i.exec(trimmed);
  if (bearer) return bearer[1];
  return allowBare && !/\s/.test(trimmed) ? trimmed : undefined;
}

/**
 * A token that is an OIDC JWT rather than a credvend key (`cv1.…`): a JWT's header is JSON, so its
 * first segment starts `eyJ` (base64url of `{"`). Cheap, and needs no JWT code loaded.
 */
export function isJwtLike(token: string): boolean {
  return !token.startsWith('cv1.') && /^eyJ[A-Za-z0-9_-]*\./.test(token.slice(0, 4096));
}
