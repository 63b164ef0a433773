// Every shape credvend credentials travel in, read back into SDK v3 credentials (expiration a Date):
// the `serialized` base64 form, the credential_process document, the container / instance-metadata
// JSON, the API's 201 body, and its `credentials` object (the SDK v3 identity field names).
import { CredvendParseError } from './errors';
import {
  type CredvendCredentials,
  checkCredentialStrings,
  parseProcessDocument,
  parseSerialized,
  parseTimestamp,
  pascalCaseCredentials,
} from './serialized';

export type CredentialShape = 'serialized' | 'credential_process' | 'container' | 'api_response' | 'sdk';

/** A session token is ~1-3 KB; an API body holding one is well under this. */
const MAX_TEXT_LENGTH = 256 * 1024;
const SAFE_FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

/**
 * The container-credentials and EC2 instance-metadata answers: the four credential fields, plus
 * the metadata fields those endpoints add. Anything else is refused as not this shape.
 */
const CONTAINER_FIELDS = ['AccessKeyId', 'SecretAccessKey', 'Token', 'Expiration'] as const;
const CONTAINER_METADATA_FIELDS = ['Code', 'LastUpdated', 'Type', 'RoleArn', 'AccountId', 'Message'] as const;
const SDK_FIELDS = ['accessKeyId', 'secretAccessKey', 'sessionToken', 'expiration', 'credentialScope', 'accountId'] as const;

function failer(shape: string): (message: string) => never {
  return (message: string): never => {
    throw new CredvendParseError('malformed_credentials', `Malformed ${shape}: ${message}`);
  };
}

function checkFields(record: Record<string, unknown>, allowed: readonly string[], fail: (message: string) => never): void {
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) fail(SAFE_FIELD_NAME.test(key) ? `unexpected field "${key}"` : 'unexpected field');
  }
}

/** Which shape a value is, by its fields; undefined when it is none of them. */
export function credentialShape(input: unknown): CredentialShape | undefined {
  if (typeof input === 'string') {
    const text = input.trim();
    if (!/^[[{]/.test(text)) return 'serialized';
    try {
      return credentialShape(JSON.parse(text) as unknown);
    } catch {
      return undefined;
    }
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
  const record = input as Record<string, unknown>;
  if ('Version' in record) return 'credential_process';
  if ('Token' in record) return 'container';
  if ('credentials' in record) return 'api_response';
  if ('accessKeyId' in record) return 'sdk';
  return undefined;
}

/**
 * Parses credentials in any shape credvend hands them out in, given as text (surrounding
 * whitespace such as a trailing newline is ignored) or as an already parsed object:
 *
 * - the `serialized` form (standard base64 of the credential_process document),
 * - the credential_process document `{"Version":1,"AccessKeyId",…,"Expiration"}`,
 * - the container / instance-metadata JSON `{"AccessKeyId","SecretAccessKey","Token","Expiration"}`,
 * - the API's 201 body (its `credentials` are read),
 * - its `credentials` object, `expiration` a string or a Date.
 *
 * Always answers SDK v3 credentials with `expiration` a Date, which any SDK v3 client accepts.
 * Throws CredvendParseError (`malformed_serialized` for the base64 form, else `malformed_credentials`)
 * naming what is wrong, never quoting a value.
 */
export function parseCredentials(input: unknown): CredvendCredentials {
  let value = input;
  if (typeof input === 'string') {
    const text = input.trim();
    if (!/^[[{]/.test(text)) return parseSerialized(text);
    const fail = failer('credentials JSON');
    if (text.length > MAX_TEXT_LENGTH) fail(`the input is longer than ${MAX_TEXT_LENGTH} characters`);
    try {
      value = JSON.parse(text) as unknown;
    } catch {
      // JSON.parse's own message quotes the input, which holds the secret: never pass it on.
      fail('the text is not a single JSON document');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return failer('credentials')('expected a JSON object or the serialized form');
  }
  const record = value as Record<string, unknown>;
  switch (credentialShape(record)) {
    case 'credential_process':
      return parseProcessDocument(record, failer('credential_process document'));
    case 'container':
      return parseContainer(record);
    case 'api_response':
      return parseSdk(record.credentials, failer('API response'), 'credentials.');
    case 'sdk':
      return parseSdk(record, failer('credentials'), '');
    default:
      return failer('credentials')('not a known credential shape (no Version, Token, credentials or accessKeyId field)');
  }
}

function parseContainer(record: Record<string, unknown>): CredvendCredentials {
  const fail = failer('container credentials');
  checkFields(record, [...CONTAINER_FIELDS, ...CONTAINER_METADATA_FIELDS], fail);
  // Instance metadata says Code "Success"; any other code is an error answer, not credentials.
  if (record.Code !== undefined && record.Code !== 'Success') fail('Code is not "Success"');
  return pascalCaseCredentials(record, 'Token', fail);
}

function parseSdk(value: unknown, fail: (message: string) => never, prefix: string): CredvendCredentials {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail(`${prefix ? prefix.slice(0, -1) : 'the value'} is not an object`);
  const record = value as Record<string, unknown>;
  checkFields(record, SDK_FIELDS, fail);
  checkCredentialStrings(
    { accessKeyId: record.accessKeyId, secretAccessKey: record.secretAccessKey, sessionToken: record.sessionToken },
    { accessKeyId: `${prefix}accessKeyId`, secretAccessKey: `${prefix}secretAccessKey`, sessionToken: `${prefix}sessionToken` },
    fail,
  );
  const raw = record.expiration;
  let expiration: Date | undefined;
  if (raw instanceof Date) expiration = Number.isNaN(raw.getTime()) ? undefined : new Date(raw.getTime());
  else if (typeof raw === 'string') expiration = parseTimestamp(raw);
  if (!expiration) fail(`${prefix}expiration must be a Date or an ISO-8601 date-time with a Z or ±hh:mm offset`);
  return {
    accessKeyId: record.accessKeyId as string,
    secretAccessKey: record.secretAccessKey as string,
    sessionToken: record.sessionToken as string,
    expiration: expiration as Date,
  };
}
