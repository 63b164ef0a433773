// STS Query-protocol response bodies, shaped exactly like AWS's so the SDK and CLI parsers accept them.
import type { AwsError } from './errors';

export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

export interface CredentialsXml {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** Epoch milliseconds; rendered as ISO 8601 UTC with a Z, whole seconds like AWS. */
  expiresAt: number;
}

/** Escapes element text (values only ever appear as text, never in attributes). */
export function xmlEscape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `<Tag>value</Tag>`, or nothing when the value is absent (AWS omits unset members). */
function el(tag: string, value: string | number | undefined): string {
  return value === undefined ? '' : `<${tag}>${xmlEscape(String(value))}</${tag}>`;
}

function credentials(c: CredentialsXml): string {
  return `<Credentials>${el('AccessKeyId', c.accessKeyId)}${el('SecretAccessKey', c.secretAccessKey)}${el('SessionToken', c.sessionToken)}${el('Expiration', isoSeconds(c.expiresAt))}</Credentials>`;
}

function envelope(action: string, result: string, requestId: string): string {
  return (
    `<${action}Response xmlns="${STS_NAMESPACE}">\n` +
    `  <${action}Result>${result}</${action}Result>\n` +
    `  <ResponseMetadata><RequestId>${xmlEscape(requestId)}</RequestId></ResponseMetadata>\n` +
    `</${action}Response>\n`
  );
}

export function federationTokenXml(r: {
  credentials: CredentialsXml;
  federatedUserId: string;
  arn: string;
  packedPolicySize: number;
  requestId: string;
}): string {
  const user = `<FederatedUser>${el('FederatedUserId', r.federatedUserId)}${el('Arn', r.arn)}</FederatedUser>`;
  return envelope('GetFederationToken', `${credentials(r.credentials)}${user}${el('PackedPolicySize', r.packedPolicySize)}`, r.requestId);
}

export function assumeRoleXml(r: {
  credentials: CredentialsXml;
  assumedRoleId: string;
  arn: string;
  packedPolicySize: number;
  sourceIdentity?: string;
  requestId: string;
}): string {
  const user = `<AssumedRoleUser>${el('AssumedRoleId', r.assumedRoleId)}${el('Arn', r.arn)}</AssumedRoleUser>`;
  return envelope(
    'AssumeRole',
    `${credentials(r.credentials)}${user}${el('PackedPolicySize', r.packedPolicySize)}${el('SourceIdentity', r.sourceIdentity)}`,
    r.requestId,
  );
}

export function sessionTokenXml(r: { credentials: CredentialsXml; requestId: string }): string {
  return envelope('GetSessionToken', credentials(r.credentials), r.requestId);
}

export function callerIdentityXml(r: { userId: string; account: string; arn: string; requestId: string }): string {
  return envelope('GetCallerIdentity', `${el('UserId', r.userId)}${el('Account', r.account)}${el('Arn', r.arn)}`, r.requestId);
}

export function decodedMessageXml(r: { decodedMessage: string; requestId: string }): string {
  return envelope('DecodeAuthorizationMessage', el('DecodedMessage', r.decodedMessage), r.requestId);
}

/** Client errors are `Sender`, 5xx are `Receiver`, as in AWS's ErrorResponse. */
export function errorXml(error: AwsError, requestId: string): string {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  return (
    `<ErrorResponse xmlns="${STS_NAMESPACE}">\n` +
    `  <Error>${el('Type', type)}${el('Code', error.code)}${el('Message', error.message)}</Error>\n` +
    `  ${el('RequestId', requestId)}\n` +
    `</ErrorResponse>\n`
  );
}
