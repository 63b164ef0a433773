// SigV4 verification of the local STS: AWS's published example, requests signed by the SDK's own
// signer (@smithy/signature-v4), and every way a signature is refused.
import { describe, expect, it } from '@jest/globals';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import {
  canonicalPath,
  canonicalQuery,
  checkSignature,
  computeSignature,
  parseSigV4,
  type SignedRequest,
  type SigV4Auth,
} from '../../../local/sts/sigv4';
import { NodeSha256, testUser } from '../../integration/local-sts/support';

const user = testUser('signer');
const SIGNED_AT = Date.UTC(2026, 0, 15, 12, 0, 0);

/** Signs with the SDK's signer at SIGNED_AT and returns the request as the server would receive it. */
async function sdkSigned(
  opts: {
    body?: string;
    query?: Record<string, string>;
    headers?: Record<string, string>;
    service?: string;
    presign?: boolean;
    secret?: string;
    sessionToken?: string;
  } = {},
): Promise<SignedRequest> {
  const signer = new SignatureV4({
    service: opts.service ?? 'sts',
    region: 'eu-central-1',
    credentials: { accessKeyId: user.accessKeyId, secretAccessKey: opts.secret ?? user.secretAccessKey, sessionToken: opts.sessionToken },
    sha256: NodeSha256,
  });
  const request: HttpRequest = {
    method: opts.body === undefined ? 'GET' : 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 4566,
    path: '/',
    query: opts.query ?? {},
    headers: {
      host: '127.0.0.1:4566',
      ...(opts.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } : {}),
      ...opts.headers,
    },
    body: opts.body,
  };
  const signed = opts.presign
    ? await signer.presign(request, { signingDate: new Date(SIGNED_AT) })
    : await signer.sign(request, { signingDate: new Date(SIGNED_AT) });
  const query = Object.entries(signed.query as Record<string, string>)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  return {
    method: signed.method,
    url: `/${query ? `?${query}` : ''}`,
    headers: Object.entries(signed.headers),
    body: Buffer.from(opts.body ?? ''),
  };
}

function auth(req: SignedRequest): SigV4Auth {
  const parsed = parseSigV4(req);
  if ('error' in parsed) throw new Error(`unexpected ${parsed.error.code}: ${parsed.error.message}`);
  return parsed.auth;
}

const verify = (req: SignedRequest, opts: { secret?: string; nowMs?: number; service?: string } = {}) =>
  checkSignature(req, auth(req), opts.secret ?? user.secretAccessKey, { service: opts.service ?? 'sts', nowMs: opts.nowMs ?? SIGNED_AT });

describe('AWS published example', () => {
  // "Create a signed AWS API request" (IAM ListUsers, 2015-08-30), with AWS's documentation-only keys.
  const req: SignedRequest = {
    method: 'GET',
    url: '/?Action=ListUsers&Version=2010-05-08',
    headers: [
      ['Content-Type', 'application/x-www-form-urlencoded; charset=utf-8'],
      ['Host', 'iam.amazonaws.com'],
      ['X-Amz-Date', '20150830T123600Z'],
      [
        'Authorization',
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
      ],
    ],
    body: Buffer.alloc(0),
  };
  const secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

  it('computes the documented signature', () => {
    expect(computeSignature(req, auth(req), secret)).toBe('5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7');
    expect(checkSignature(req, auth(req), secret, { service: 'iam', nowMs: Date.UTC(2015, 7, 30, 12, 36) })).toBeUndefined();
  });
});

describe('requests signed by the SDK signer', () => {
  it('a POST with a form body verifies', async () => {
    expect(verify(await sdkSigned({ body: 'Action=GetCallerIdentity&Version=2011-06-15' }))).toBeUndefined();
  });

  it('a GET with a query of awkward characters verifies', async () => {
    const req = await sdkSigned({
      query: { Action: 'GetFederationToken', Name: 'a b*c~d', Policy: '{"Version":"2012-10-17"}', 'Tags.member.1.Key': "x!'()" },
    });
    expect(verify(req)).toBeUndefined();
  });

  it('a presigned URL verifies, carrying its session token in the query', async () => {
    const req = await sdkSigned({
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      presign: true,
      sessionToken: 'token-value',
    });
    expect(req.headers.find(([n]) => n.toLowerCase() === 'authorization')).toBeUndefined();
    expect(auth(req)).toMatchObject({ mode: 'query', securityToken: 'token-value', accessKeyId: user.accessKeyId });
    expect(verify(req, { nowMs: SIGNED_AT + 60_000 })).toBeUndefined();
    expect(verify(req, { nowMs: SIGNED_AT + 3_601_000 })).toMatchObject({
      code: 'SignatureDoesNotMatch',
      message: expect.stringMatching(/^Signature expired/),
    });
  });

  it('the session token header is read for the key lookup', async () => {
    expect(auth(await sdkSigned({ body: 'x=1', sessionToken: 'tok' })).securityToken).toBe('tok');
  });

  it('headers the signature does not cover may be added in transit', async () => {
    const req = await sdkSigned({ body: 'Action=GetCallerIdentity' });
    expect(verify({ ...req, headers: [...req.headers, ['X-Forwarded-For', '10.0.0.1']] })).toBeUndefined();
  });
});

describe('refusals', () => {
  const mismatch = { status: 403, code: 'SignatureDoesNotMatch' };

  it('a secret with one character changed is SignatureDoesNotMatch', async () => {
    const req = await sdkSigned({ body: 'Action=GetCallerIdentity' });
    const wrong = user.secretAccessKey.slice(0, -1) + (user.secretAccessKey.endsWith('A') ? 'B' : 'A');
    expect(verify(req, { secret: wrong })).toMatchObject(mismatch);
  });

  it('a changed body is SignatureDoesNotMatch (the body is hashed, not trusted)', async () => {
    const req = await sdkSigned({ body: 'Action=GetFederationToken&Name=alice' });
    expect(verify({ ...req, body: Buffer.from('Action=GetFederationToken&Name=mallory') })).toMatchObject(mismatch);
  });

  it('a changed signed header (host port included) is SignatureDoesNotMatch', async () => {
    const req = await sdkSigned({ body: 'Action=GetCallerIdentity' });
    const moved = req.headers.map(([n, v]): [string, string] => [n, n.toLowerCase() === 'host' ? '127.0.0.1:4567' : v]);
    expect(verify({ ...req, headers: moved })).toMatchObject(mismatch);
  });

  it('a changed query is SignatureDoesNotMatch', async () => {
    const req = await sdkSigned({ query: { Action: 'GetCallerIdentity', Version: '2011-06-15' } });
    expect(verify({ ...req, url: req.url.replace('GetCallerIdentity', 'GetSessionToken') })).toMatchObject(mismatch);
  });

  it('an x-amz-content-sha256 that does not match the body is refused', async () => {
    const req = await sdkSigned({ body: 'a=1', headers: { 'x-amz-content-sha256': 'f'.repeat(64) } });
    expect(verify(req)).toMatchObject({ ...mismatch, message: expect.stringContaining('x-amz-content-sha256') });
  });

  it('a credential scoped to another service is refused', async () => {
    expect(verify(await sdkSigned({ body: 'a=1', service: 'ssm' }))).toMatchObject({
      ...mismatch,
      message: "Credential should be scoped to correct service: 'sts'. ",
    });
  });

  it('is valid up to 15 minutes either side of the server clock, "Signature expired" after', async () => {
    const req = await sdkSigned({ body: 'a=1' });
    expect(verify(req, { nowMs: SIGNED_AT + 15 * 60_000 })).toBeUndefined();
    expect(verify(req, { nowMs: SIGNED_AT - 15 * 60_000 })).toBeUndefined();
    expect(verify(req, { nowMs: SIGNED_AT + 15 * 60_000 + 1_000 })).toMatchObject({
      ...mismatch,
      message: expect.stringMatching(/^Signature expired: 20260115T120000Z is now earlier than/),
    });
    expect(verify(req, { nowMs: SIGNED_AT - 15 * 60_000 - 1_000 })).toMatchObject({
      ...mismatch,
      message: expect.stringMatching(/^Signature not yet current/),
    });
  });

  it('no Authorization header and no presigned query is MissingAuthenticationToken (403)', () => {
    expect(parseSigV4({ method: 'POST', url: '/', headers: [['Host', 'x']], body: Buffer.alloc(0) })).toEqual({
      error: { status: 403, code: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token' },
    });
  });

  it.each([
    ['AWS4-HMAC-SHA256 Credential=AKID/20260115/us-east-1/sts/aws4_request', /requires 'SignedHeaders'.*requires 'Signature'/],
    [
      'AWS4-HMAC-SHA256 Credential=AKID/20260115/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=',
      /^Authorization header requires 'Signature' parameter\.$/,
    ],
    ['AWS4-ECDSA-P256-SHA256 Credential=x, SignedHeaders=host, Signature=00', /Unsupported AWS 'algorithm'/],
    ['AWS4-HMAC-SHA256 Credential=AKID/20260115/sts/aws4_request, SignedHeaders=host, Signature=00', /5 slash-delimited/],
    ['AWS4-HMAC-SHA256 Credential=AKID/20260115/us-east-1/sts/aws4_request, SignedHeaders=x-amz-date, Signature=00', /'Host'/],
  ])('a malformed Authorization header is IncompleteSignature: %s', (header, message) => {
    const parsed = parseSigV4({
      method: 'POST',
      url: '/',
      headers: [
        ['Authorization', header],
        ['X-Amz-Date', '20260115T120000Z'],
      ],
      body: Buffer.alloc(0),
    });
    expect(parsed).toEqual({ error: { status: 400, code: 'IncompleteSignature', message: expect.stringMatching(message) } });
  });

  it.each([
    [
      '/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20260115%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-SignedHeaders=host',
      "AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-Date'.",
    ],
    [
      '/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=&X-Amz-SignedHeaders=host&X-Amz-Signature=00&X-Amz-Date=20260115T120000Z',
      "AWS query-string parameters must include 'X-Amz-Credential'.",
    ],
  ])('a presigned query missing (or emptying) a required parameter is IncompleteSignature: %s', (url, message) => {
    expect(parseSigV4({ method: 'GET', url, headers: [['Host', 'x']], body: Buffer.alloc(0) })).toEqual({
      error: { status: 400, code: 'IncompleteSignature', message },
    });
  });
});

describe('canonical form', () => {
  it('sorts query parameters by name then value and encodes them RFC 3986 style', () => {
    expect(canonicalQuery('/?b=2&a=1&a=0&c=%20x*~&empty', 'header')).toBe('a=0&a=1&b=2&c=%20x%2A~&empty=');
  });

  it('leaves the signature out of a presigned canonical query', () => {
    expect(canonicalQuery('/?X-Amz-Signature=abc&X-Amz-Date=1', 'query')).toBe('X-Amz-Date=1');
  });

  it('normalizes the path and encodes it once more, as for every service but S3', () => {
    expect(canonicalPath('/')).toBe('/');
    expect(canonicalPath('/a/./b/../c/')).toBe('/a/c/');
    expect(canonicalPath('/foo%20bar')).toBe('/foo%2520bar');
  });
});
