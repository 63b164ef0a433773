import { describe, expect, it } from '@jest/globals';
import type { IssuanceRecord } from '../../lib/core/model';
import {
  containerCredentials,
  credentialProcessDocument,
  isoSeconds,
  sdkCredentials,
  serializeCredentials,
} from '../../lib/vend/credential-formats';
import type { IssueResult } from '../../lib/vend/issue';
import { issueResponseBody } from '../../lib/vend/response';
import { FAKE_SECRET_ACCESS_KEY, FAKE_SESSION_TOKEN, fakeAccessKeyId, fakeCredentials } from './issuance-fakes';

const credentials = fakeCredentials({ expiration: new Date('2030-01-02T03:04:05.678Z') });

describe('isoSeconds', () => {
  it.each([
    ['2030-01-02T03:04:05.678Z', '2030-01-02T03:04:05Z'],
    ['2030-01-02T03:04:05.000Z', '2030-01-02T03:04:05Z'],
    ['1999-12-31T23:59:59.999Z', '1999-12-31T23:59:59Z'],
  ])('%s -> %s (truncated, as STS writes it)', (input, expected) => {
    expect(isoSeconds(new Date(input))).toBe(expected);
  });
});

describe('credential_process document', () => {
  it('has exactly the fields the AWS CLI reads, in order', () => {
    const doc = credentialProcessDocument(credentials);
    expect(JSON.stringify(doc)).toBe(
      JSON.stringify({
        Version: 1,
        AccessKeyId: fakeAccessKeyId(),
        SecretAccessKey: FAKE_SECRET_ACCESS_KEY,
        SessionToken: FAKE_SESSION_TOKEN,
        Expiration: '2030-01-02T03:04:05Z',
      }),
    );
  });

  it('serialized is standard base64 of its UTF-8 JSON, decoding to the same document', () => {
    const serialized = serializeCredentials(credentials);
    expect(serialized).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(serialized.length % 4).toBe(0);
    const decoded = Buffer.from(serialized, 'base64').toString('utf8');
    expect(decoded).toBe(JSON.stringify(credentialProcessDocument(credentials)));
    expect(JSON.parse(decoded)).toEqual({
      Version: 1,
      AccessKeyId: fakeAccessKeyId(),
      SecretAccessKey: FAKE_SECRET_ACCESS_KEY,
      SessionToken: FAKE_SESSION_TOKEN,
      Expiration: '2030-01-02T03:04:05Z',
    });
  });

  it('uses the standard alphabet (+ and /), not base64url', () => {
    // "?>?" encodes to "Pz4/" in standard base64; pick a token whose encoding must contain + or /.
    const serialized = serializeCredentials(fakeCredentials({ sessionToken: '???>>>~~~ÿÿÿ' }));
    expect(serialized).toMatch(/[+/]/);
    expect(serialized).not.toMatch(/[-_]/);
    expect(JSON.parse(Buffer.from(serialized, 'base64').toString('utf8')).SessionToken).toBe('???>>>~~~ÿÿÿ');
  });
});

describe('container and SDK shapes', () => {
  it('container credentials use Token and second-precision Expiration', () => {
    expect(containerCredentials(credentials)).toStrictEqual({
      AccessKeyId: fakeAccessKeyId(),
      SecretAccessKey: FAKE_SECRET_ACCESS_KEY,
      Token: FAKE_SESSION_TOKEN,
      Expiration: '2030-01-02T03:04:05Z',
    });
  });

  it('SDK credentials use the AWS SDK v3 identity field names', () => {
    expect(sdkCredentials(credentials)).toStrictEqual({
      accessKeyId: fakeAccessKeyId(),
      secretAccessKey: FAKE_SECRET_ACCESS_KEY,
      sessionToken: FAKE_SESSION_TOKEN,
      expiration: '2030-01-02T03:04:05Z',
    });
  });
});

describe('issueResponseBody', () => {
  const record: IssuanceRecord = {
    issuanceId: 'iss-1',
    tenantId: 'acme',
    partnerId: 'partner-one',
    keyId: 'pk-abcdefghijklmnop',
    mode: 'assume-role',
    accessKeyId: fakeAccessKeyId(),
    principalArn: credentials.principalArn,
    principalId: credentials.principalId,
    sourceIdentity: 'partner-one',
    policyVersion: 4,
    policySha256: 'f'.repeat(64),
    durationSeconds: 3600,
    issuedAt: '2030-01-02T02:04:05.678Z',
    expiresAt: '2030-01-02T03:04:05.678Z',
    sourceIp: '203.0.113.9',
    userAgent: 'ua',
    requestId: 'req-1',
    status: 'active',
  };
  const result: IssueResult = { record, credentials, refreshAfter: new Date('2030-01-02T02:52:05.678Z') };

  it('has exactly the DESIGN.md fields, in order', () => {
    const body = issueResponseBody(result, new Date('2030-01-02T02:04:05.999Z'));
    expect(Object.keys(body)).toEqual([
      'issuanceId',
      'tenantId',
      'partnerId',
      'mode',
      'credentials',
      'serialized',
      'principal',
      'packedPolicySize',
      'policyVersion',
      'serverTime',
      'refreshAfter',
    ]);
    expect(body).toStrictEqual({
      issuanceId: 'iss-1',
      tenantId: 'acme',
      partnerId: 'partner-one',
      mode: 'assume-role',
      credentials: {
        accessKeyId: fakeAccessKeyId(),
        secretAccessKey: FAKE_SECRET_ACCESS_KEY,
        sessionToken: FAKE_SESSION_TOKEN,
        expiration: '2030-01-02T03:04:05Z',
      },
      serialized: serializeCredentials(credentials),
      principal: { arn: credentials.principalArn, id: credentials.principalId },
      packedPolicySize: 7,
      policyVersion: 4,
      serverTime: '2030-01-02T02:04:05Z',
      refreshAfter: '2030-01-02T02:52:05Z',
    });
  });
});
