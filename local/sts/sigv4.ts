// AWS Signature Version 4 verification, written from the published spec with node:crypto only,
// so the emulator checks exactly what AWS checks and does not share code with the SDK's signer.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { type AwsError, awsError } from './errors';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
/** AWS refuses a request whose timestamp is more than 15 minutes away from its own clock. */
export const MAX_SKEW_MS = 15 * 60 * 1000;

export interface SignedRequest {
  method: string;
  /** Path and query exactly as received on the wire. */
  url: string;
  /** Raw headers as [name, value] pairs, in arrival order (repeats kept). */
  headers: Array<[string, string]>;
  body: Buffer;
}

export interface SigV4Auth {
  mode: 'header' | 'query';
  accessKeyId: string;
  scope: { date: string; region: string; service: string };
  /** Request timestamp, ISO 8601 basic format: YYYYMMDDTHHMMSSZ. */
  amzDate: string;
  signedHeaders: string[];
  signature: string;
  securityToken?: string;
  /** Presigned URLs only: seconds the signature stays valid. */
  expiresSeconds?: number;
}

export const MESSAGES = {
  missing: 'Request is missing Authentication Token',
  invalidToken: 'The security token included in the request is invalid.',
  expiredToken: 'The security token included in the request is expired',
  mismatch:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
} as const;

const incomplete = (message: string): AwsError => awsError(400, 'IncompleteSignature', message);
const mismatch = (message: string = MESSAGES.mismatch): AwsError => awsError(403, 'SignatureDoesNotMatch', message);

/** RFC 3986 encoding as AWS defines it: everything but A-Z a-z 0-9 - _ . ~ is percent-encoded. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Query string pairs, percent-decoded; '+' stays a literal plus as in AWS's canonical form. */
export function parseQueryPairs(url: string): Array<[string, string]> {
  const q = url.indexOf('?');
  if (q < 0) return [];
  return url
    .slice(q + 1)
    .split('&')
    .filter((part) => part.length > 0)
    .map((part) => {
      const eq = part.indexOf('=');
      const name = eq < 0 ? part : part.slice(0, eq);
      const value = eq < 0 ? '' : part.slice(eq + 1);
      return [safeDecode(name), safeDecode(value)];
    });
}

export function headerValue(req: SignedRequest, name: string): string | undefined {
  const values = req.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
  return values.length > 0 ? values.join(',') : undefined;
}

/** Reads the signature from the Authorization header or from a presigned URL's query. */
export function parseSigV4(req: SignedRequest): { auth: SigV4Auth } | { error: AwsError } {
  const header = headerValue(req, 'authorization');
  const query = new Map(parseQueryPairs(req.url));
  if (header !== undefined) return parseHeaderAuth(req, header);
  if (query.has('X-Amz-Algorithm')) return parseQueryAuth(query);
  return { error: awsError(403, 'MissingAuthenticationToken', MESSAGES.missing) };
}

function parseHeaderAuth(req: SignedRequest, header: string): { auth: SigV4Auth } | { error: AwsError } {
  const space = header.indexOf(' ');
  const algorithm = space < 0 ? header : header.slice(0, space);
  if (algorithm !== ALGORITHM) return { error: incomplete(`Unsupported AWS 'algorithm': '${algorithm}'`) };
  const fields = new Map<string, string>();
  for (const part of header.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signedHeaders || !signature) {
    const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((f) => !fields.get(f));
    return { error: incomplete(missing.map((f) => `Authorization header requires '${f}' parameter.`).join(' ')) };
  }
  const amzDate = headerValue(req, 'x-amz-date') ?? fromHttpDate(headerValue(req, 'date'));
  if (!amzDate) return { error: incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.") };
  return finish(credential, signedHeaders, signature, amzDate, 'header', headerValue(req, 'x-amz-security-token'));
}

function parseQueryAuth(query: Map<string, string>): { auth: SigV4Auth } | { error: AwsError } {
  const algorithm = query.get('X-Amz-Algorithm');
  if (algorithm !== ALGORITHM) return { error: incomplete(`Unsupported AWS 'algorithm': '${algorithm ?? ''}'`) };
  const credential = query.get('X-Amz-Credential');
  const signedHeaders = query.get('X-Amz-SignedHeaders');
  const signature = query.get('X-Amz-Signature');
  const amzDate = query.get('X-Amz-Date');
  if (!credential || !signedHeaders || !signature || !amzDate) {
    const required = ['X-Amz-Credential', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Date'];
    const missing = required.filter((f) => !query.get(f));
    return { error: incomplete(missing.map((f) => `AWS query-string parameters must include '${f}'.`).join(' ')) };
  }
  const result = finish(credential, signedHeaders, signature, amzDate, 'query', query.get('X-Amz-Security-Token'));
  if ('auth' in result && query.has('X-Amz-Expires')) result.auth.expiresSeconds = Number(query.get('X-Amz-Expires'));
  return result;
}

function finish(
  credential: string,
  signedHeaders: string,
  signature: string,
  amzDate: string,
  mode: 'header' | 'query',
  securityToken: string | undefined,
): { auth: SigV4Auth } | { error: AwsError } {
  const parts = credential.split('/');
  const [accessKeyId, date, region, service, terminator] = parts;
  if (parts.length !== 5 || !accessKeyId || !date || !region || !service || terminator !== 'aws4_request') {
    return { error: incomplete('Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/aws4_request.') };
  }
  if (!/^\d{8}T\d{6}Z$/.test(amzDate)) return { error: incomplete(`Invalid X-Amz-Date '${amzDate}'`) };
  const headers = signedHeaders.split(';').map((h) => h.trim().toLowerCase());
  if (!headers.includes('host')) return { error: incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.") };
  return {
    auth: {
      mode,
      accessKeyId,
      scope: { date, region, service },
      amzDate,
      signedHeaders: headers,
      signature: signature.toLowerCase(),
      securityToken,
    },
  };
}

function fromHttpDate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : toAmzDate(ms);
}

export function toAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

export function parseAmzDate(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m) return Number.NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** Non-S3 services: remove dot segments, then encode the (already wire-encoded) path once more. */
export function canonicalPath(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `/${segments.join('/')}${segments.length > 0 && rawPath.endsWith('/') ? '/' : ''}`;
  return uriEncode(normalized).replace(/%2F/g, '/');
}

export function canonicalQuery(url: string, mode: 'header' | 'query'): string {
  return parseQueryPairs(url)
    .filter(([name]) => !(mode === 'query' && name === 'X-Amz-Signature'))
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

export function canonicalRequest(req: SignedRequest, auth: SigV4Auth): string {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const headers = auth.signedHeaders.map((name) => `${name}:${(headerValue(req, name) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  return [
    req.method.toUpperCase(),
    canonicalPath(path),
    canonicalQuery(req.url, auth.mode),
    headers,
    auth.signedHeaders.join(';'),
    payloadHash(req),
  ].join('\n');
}

/** The body's hash is always computed here: a client-supplied x-amz-content-sha256 is checked, not trusted. */
export function payloadHash(req: SignedRequest): string {
  return sha256Hex(req.body);
}

export function stringToSign(auth: SigV4Auth, canonical: string): string {
  const { date, region, service } = auth.scope;
  return [ALGORITHM, auth.amzDate, `${date}/${region}/${service}/aws4_request`, sha256Hex(canonical)].join('\n');
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

export function computeSignature(req: SignedRequest, auth: SigV4Auth, secret: string): string {
  const { date, region, service } = auth.scope;
  return createHmac('sha256', signingKey(secret, date, region, service))
    .update(stringToSign(auth, canonicalRequest(req, auth)))
    .digest('hex');
}

/**
 * Checks a parsed signature against the caller's secret: scope, signature, then the time window
 * (on the emulator's clock, so tests that move the clock see what a skewed client would).
 */
export function checkSignature(
  req: SignedRequest,
  auth: SigV4Auth,
  secret: string,
  opts: { service: string; nowMs: number },
): AwsError | undefined {
  if (auth.scope.service !== opts.service) return mismatch(`Credential should be scoped to correct service: '${opts.service}'. `);
  const contentSha = headerValue(req, 'x-amz-content-sha256');
  if (contentSha !== undefined && contentSha !== 'UNSIGNED-PAYLOAD' && contentSha !== payloadHash(req)) {
    return mismatch('The provided x-amz-content-sha256 header does not match what was computed.');
  }
  const expected = Buffer.from(computeSignature(req, auth, secret), 'utf8');
  const given = Buffer.from(auth.signature, 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return mismatch();
  if (auth.scope.date !== auth.amzDate.slice(0, 8)) {
    return mismatch(`Credential should be scoped to a valid date: '${auth.amzDate.slice(0, 8)}', not '${auth.scope.date}'.`);
  }
  const signedAt = parseAmzDate(auth.amzDate);
  if (auth.mode === 'query') {
    const expires = auth.expiresSeconds ?? 900;
    if (signedAt > opts.nowMs + MAX_SKEW_MS || opts.nowMs > signedAt + expires * 1000) {
      return mismatch(`Signature expired: ${auth.amzDate} is now earlier than ${toAmzDate(opts.nowMs - expires * 1000)}`);
    }
    return undefined;
  }
  if (signedAt < opts.nowMs - MAX_SKEW_MS) {
    return mismatch(
      `Signature expired: ${auth.amzDate} is now earlier than ${toAmzDate(opts.nowMs - MAX_SKEW_MS)} (${toAmzDate(opts.nowMs)} - 15 min.)`,
    );
  }
  if (signedAt > opts.nowMs + MAX_SKEW_MS) {
    return mismatch(
      `Signature not yet current: ${auth.amzDate} is still later than ${toAmzDate(opts.nowMs + MAX_SKEW_MS)} (${toAmzDate(opts.nowMs)} + 15 min.)`,
    );
  }
  return undefined;
}
