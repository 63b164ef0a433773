// The shapes issued credentials leave the service in: SDK v3 identity fields, the
// credential_process document (and its base64 "serialized" form), and the container shape.
import type { IssuedCredentials } from './sts/adapter';

/** ISO-8601 without milliseconds, as STS and credential_process write it. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface CredentialProcessDocument {
  Version: 1;
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: string;
}

export function credentialProcessDocument(c: IssuedCredentials): CredentialProcessDocument {
  return {
    Version: 1,
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
    SessionToken: c.sessionToken,
    Expiration: isoSeconds(c.expiration),
  };
}

/** Standard base64 of the UTF-8 credential_process JSON. */
export function serializeCredentials(c: IssuedCredentials): string {
  return Buffer.from(JSON.stringify(credentialProcessDocument(c)), 'utf8').toString('base64');
}

export function containerCredentials(c: IssuedCredentials) {
  return {
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
    Token: c.sessionToken,
    Expiration: isoSeconds(c.expiration),
  };
}

export function sdkCredentials(c: IssuedCredentials) {
  return {
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    sessionToken: c.sessionToken,
    expiration: isoSeconds(c.expiration),
  };
}
