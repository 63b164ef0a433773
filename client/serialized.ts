// The credential_process document and its `serialized` form (standard base64 of its UTF-8 JSON).
// The server writes it through these same functions (lib/vend/credential-formats.ts re-exports them);
// the dependency points this way because the client may not depend on server code.
import { CredvendParseError } from './errors';

/** The AWS SDK v3 credential identity fields, as the API returns them (expiration parsed). */
export interface CredvendCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface CredentialProcessDocument {
  Version: 1;
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: string;
}

const DOCUMENT_FIELDS = ['Version', 'AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration'] as const;
/** A session token is ~1-3 KB; anything far larger is not a credential document. */
const MAX_SERIALIZED_LENGTH = 64 * 1024;
const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Key ids, secrets and tokens are base64/alphanumeric: they travel in HTTP headers and shell exports. */
const TOKEN_CHARS = /^[\x21-\x7E]+$/;
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** ISO-8601 UTC without milliseconds, as STS and credential_process write it. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Parses an ISO-8601 timestamp with an explicit offset; undefined for anything else (incl. 2026-02-30). */
export function parseTimestamp(text: string): Date | undefined {
  const m = ISO_8601.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const calendar = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  const valid =
    calendar.getUTCFullYear() === y &&
    calendar.getUTCMonth() === mo - 1 &&
    calendar.getUTCDate() === d &&
    calendar.getUTCHours() === h &&
    calendar.getUTCMinutes() === mi &&
    calendar.getUTCSeconds() === s;
  if (!valid) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Checks the three credential strings; the message names the field, never its value.
 * `names` maps each field to how the input spells it, so messages match what the caller sent.
 */
export function checkCredentialStrings(
  values: Record<'accessKeyId' | 'secretAccessKey' | 'sessionToken', unknown>,
  names: Record<'accessKeyId' | 'secretAccessKey' | 'sessionToken', string>,
  fail: (message: string) => never,
): void {
  for (const field of ['accessKeyId', 'secretAccessKey', 'sessionToken'] as const) {
    const value = values[field];
    if (typeof value !== 'string') fail(`${names[field]} must be a string`);
    if (!TOKEN_CHARS.test(value as string)) fail(`${names[field]} must be non-empty printable ASCII without spaces`);
  }
}

export function credentialProcessDocument(c: CredvendCredentials): CredentialProcessDocument {
  return {
    Version: 1,
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
    SessionToken: c.sessionToken,
    Expiration: isoSeconds(c.expiration),
  };
}

/** The inverse of parseSerialized: the `serialized` form of credentials, byte for byte as the API writes it. */
export function serialize(credentials: CredvendCredentials): string {
  return Buffer.from(JSON.stringify(credentialProcessDocument(credentials)), 'utf8').toString('base64');
}

const SAFE_FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

/**
 * Parses the `serialized` form of an issue response into SDK v3 credentials. Strict: standard
 * base64 (canonical, no whitespace inside; surrounding whitespace is ignored), valid UTF-8, one JSON object with exactly the five
 * credential_process fields, Version 1, a valid ISO-8601 Expiration. Throws CredvendParseError
 * whose message says what is wrong without repeating the input.
 */
export function parseSerialized(input: string): CredvendCredentials {
  function fail(message: string): never {
    throw new CredvendParseError('malformed_serialized', `Malformed serialized credentials: ${message}`);
  }
  if (typeof input !== 'string') fail('expected a string');
  // Surrounding whitespace is how files, `echo` and environment files leave it; inside, none is allowed.
  const s = input.trim();
  if (s.length === 0) fail('the input is empty');
  if (s.length > MAX_SERIALIZED_LENGTH) fail(`the input is longer than ${MAX_SERIALIZED_LENGTH} characters`);
  if (!STANDARD_BASE64.test(s)) fail('not standard base64 (A-Z a-z 0-9 + / with = padding, no whitespace)');
  const bytes = Buffer.from(s, 'base64');
  // Non-zero bits in the last character's padding decode the same; only the canonical form is accepted.
  if (bytes.toString('base64') !== s) fail('not canonical base64');

  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    fail('the decoded bytes are not valid UTF-8');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text) as unknown;
  } catch {
    // JSON.parse's own message quotes the input, which holds the secret: never pass it on.
    fail('the decoded text is not a single JSON document');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail('the decoded JSON is not an object');
  return parseProcessDocument(doc as Record<string, unknown>, fail);
}

/** Checks a credential_process document: exactly its five fields, Version 1, an ISO-8601 Expiration. */
export function parseProcessDocument(record: Record<string, unknown>, fail: (message: string) => never): CredvendCredentials {
  for (const key of Object.keys(record)) {
    if (!(DOCUMENT_FIELDS as readonly string[]).includes(key)) {
      fail(SAFE_FIELD_NAME.test(key) ? `unexpected field "${key}"` : 'unexpected field');
    }
  }
  if (record.Version !== 1) fail('Version must be the number 1');
  return pascalCaseCredentials(record, 'SessionToken', fail);
}

/**
 * The AWS-style PascalCase fields every JSON credential shape shares (AccessKeyId, SecretAccessKey,
 * Expiration), with the session token under the name that shape gives it.
 */
export function pascalCaseCredentials(
  record: Record<string, unknown>,
  tokenField: 'SessionToken' | 'Token',
  fail: (message: string) => never,
): CredvendCredentials {
  checkCredentialStrings(
    { accessKeyId: record.AccessKeyId, secretAccessKey: record.SecretAccessKey, sessionToken: record[tokenField] },
    { accessKeyId: 'AccessKeyId', secretAccessKey: 'SecretAccessKey', sessionToken: tokenField },
    fail,
  );
  if (typeof record.Expiration !== 'string') fail('Expiration must be a string');
  const expiration =
    parseTimestamp(record.Expiration as string) ?? fail('Expiration must be an ISO-8601 date-time with a Z or ±hh:mm offset');
  return {
    accessKeyId: record.AccessKeyId as string,
    secretAccessKey: record.SecretAccessKey as string,
    sessionToken: record[tokenField] as string,
    expiration,
  };
}
