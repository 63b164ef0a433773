// The shapes issued credentials leave the service in: SDK v3 identity fields, the
// credential_process document (and its base64 "serialized" form), and the container shape.
import { isoSeconds } from '../../client/serialized';
import type { IssuedCredentials } from './ports';

export type { CredentialProcessDocument } from '../../client/serialized';
// The credential_process document and its base64 form have one definition, the client's: what
// the server writes is by construction what the client parses.
export { credentialProcessDocument, isoSeconds, serialize as serializeCredentials } from '../../client/serialized';

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
