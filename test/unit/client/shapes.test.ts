// parseCredentials / fromCredvendCredentials: every shape credvend credentials leave the service in,
// as the server writes it, parsed back to the same SDK v3 credentials, with or without surrounding
// whitespace; and an SDK v3 client accepts the result (the API's raw `credentials` it does not).
import { randomBytes } from 'node:crypto';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  type CredvendCredentials,
  CredvendParseError,
  credentialShape,
  fromCredvendCredentials,
  issueCredentials,
  parseCredentials,
} from '../../../client';
import {
  containerCredentials,
  credentialProcessDocument,
  sdkCredentials,
  serializeCredentials,
} from '../../../lib/vend/credential-formats';
import { bounded } from '../../support/property';
import { FakeCredvend, type IssueBody, randomAccessKeyId, randomApiKey } from './fake-credvend';

const WRAPPINGS: [string, (text: string) => string][] = [
  ['as is', (t) => t],
  ['with a trailing newline', (t) => `${t}\n`],
  ['with CRLF', (t) => `${t}\r\n`],
  ['surrounded by spaces and tabs', (t) => ` \t${t} \n`],
];

function issued(c: CredvendCredentials) {
  return { ...c, principalArn: 'arn:aws:sts::123456789012:assumed-role/r/s', principalId: 'AROA:s', packedPolicySize: 7 };
}

/** Each shape as text, from the server's own writers. */
function shapes(c: CredvendCredentials): [string, string, string][] {
  const i = issued(c);
  return [
    ['serialized', serializeCredentials(i), 'serialized'],
    ['credential_process', JSON.stringify(credentialProcessDocument(i)), 'credential_process'],
    ['credential_process, pretty-printed', JSON.stringify(credentialProcessDocument(i), null, 2), 'credential_process'],
    ['container', JSON.stringify(containerCredentials(i)), 'container'],
    [
      'instance metadata',
      JSON.stringify({ Code: 'Success', LastUpdated: '2026-11-22T06:00:00Z', Type: 'AWS-HMAC', ...containerCredentials(i) }),
      'container',
    ],
    ['SDK identity (the API body credentials)', JSON.stringify(sdkCredentials(i)), 'sdk'],
  ];
}

describe('round trips of every shape', () => {
  let fake: FakeCredvend;
  beforeAll(async () => {
    fake = await FakeCredvend.start();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('parses the API body, its credentials and its serialized value, as text and as objects', async () => {
    const apiKey = randomApiKey();
    for (let i = 0; i < 5; i++) await issueCredentials({ endpoint: fake.url, apiKey });
    expect(fake.issued).toHaveLength(5);
    for (const body of fake.issued) {
      const expected = { ...body.credentials, expiration: new Date(body.credentials.expiration) };
      for (const [, wrap] of WRAPPINGS) {
        expect(parseCredentials(wrap(JSON.stringify(body)))).toEqual(expected);
        expect(parseCredentials(wrap(JSON.stringify(body.credentials)))).toEqual(expected);
        expect(parseCredentials(wrap(body.serialized))).toEqual(expected);
      }
      expect(credentialShape(body)).toBe('api_response');
      expect(parseCredentials(body)).toEqual(expected);
      expect(parseCredentials(body.credentials)).toEqual(expected);
      expect(parseCredentials(expected)).toEqual(expected);
    }
  });

  it.each(WRAPPINGS)('parses every shape the server writes, %s, back to the same credentials', (_name, wrap) => {
    const token = fc.string({
      unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_.~!'),
      minLength: 1,
      maxLength: 400,
    });
    const seconds = fc.integer({ min: 0, max: 253_402_300_799 });
    fc.assert(
      fc.property(token, token, token, seconds, (accessKeyId, secretAccessKey, sessionToken, s) => {
        const credentials = { accessKeyId, secretAccessKey, sessionToken, expiration: new Date(s * 1000) };
        for (const [name, text, shape] of shapes(credentials)) {
          expect([name, credentialShape(wrap(text))]).toEqual([name, shape]);
          expect([name, parseCredentials(wrap(text))]).toEqual([name, credentials]);
          if (text.startsWith('{')) expect([name, parseCredentials(JSON.parse(text) as unknown)]).toEqual([name, credentials]);
        }
      }),
      { numRuns: 100, ...bounded() },
    );
  });
});

describe('the SDK provider', () => {
  const body = (): IssueBody => ({
    issuanceId: 'i',
    tenantId: 't',
    partnerId: 'p',
    mode: 'assume-role',
    credentials: {
      accessKeyId: randomAccessKeyId(),
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(300).toString('base64'),
      expiration: '2099-11-22T07:00:00Z',
    },
    serialized: '',
    principal: { arn: 'arn:aws:sts::123456789012:assumed-role/r/s', id: 'AROA:s' },
    packedPolicySize: 1,
    policyVersion: 1,
    serverTime: '2099-11-22T06:00:00Z',
    refreshAfter: '2099-11-22T06:45:00Z',
  });

  /** Sends one request with the given credentials; the request handler refuses it once signed. */
  async function signWith(credentials: unknown): Promise<string> {
    const client = new STSClient({
      region: 'us-east-1',
      credentials: credentials as never,
      maxAttempts: 1,
      requestHandler: {
        handle: async (request: { headers: Record<string, string> }) => {
          throw new Error(`signed:${request.headers.authorization?.startsWith('AWS4-HMAC-SHA256') === true}`);
        },
      } as never,
    });
    try {
      await client.send(new GetCallerIdentityCommand({}));
      return 'sent';
    } catch (err) {
      return (err as Error).message;
    }
  }

  it("gives an SDK v3 client the API's credentials with expiration as a Date, which it signs with", async () => {
    const b = body();
    const provider = fromCredvendCredentials(b);
    const c = await provider();
    expect(c.expiration).toBeInstanceOf(Date);
    expect(c.expiration.toISOString()).toBe('2099-11-22T07:00:00.000Z');
    expect(await signWith(provider)).toBe('signed:true');
    expect(await signWith(fromCredvendCredentials(JSON.stringify(b.credentials)))).toBe('signed:true');
  });

  it("the API's raw credentials object is what SDK v3 cannot use (why the provider converts it)", async () => {
    expect(await signWith(body().credentials)).toMatch(/getTime/);
  });

  it('hands each caller its own copy', async () => {
    const provider = fromCredvendCredentials(body());
    const first = await provider();
    first.expiration.setTime(0);
    expect((await provider()).expiration.getTime()).not.toBe(0);
  });
});

describe('rejections', () => {
  const secret = randomBytes(30).toString('base64');
  const token = randomBytes(301).toString('base64');
  const container = { AccessKeyId: randomAccessKeyId(), SecretAccessKey: secret, Token: token, Expiration: '2026-11-22T07:00:00Z' };
  const sdk = { accessKeyId: container.AccessKeyId, secretAccessKey: secret, sessionToken: token, expiration: '2026-11-22T07:00:00Z' };
  const cases: [string, unknown, string][] = [
    ['a number', 42, 'Malformed credentials: expected a JSON object or the serialized form'],
    ['null', null, 'Malformed credentials: expected a JSON object or the serialized form'],
    ['an array', [container], 'Malformed credentials: expected a JSON object or the serialized form'],
    [
      'truncated JSON holding the secret',
      JSON.stringify(container).slice(0, -20),
      'Malformed credentials JSON: the text is not a single JSON document',
    ],
    [
      'an object of no known shape',
      { key: secret },
      'Malformed credentials: not a known credential shape (no Version, Token, credentials or accessKeyId field)',
    ],
    ['container JSON with an extra field', { ...container, Extra: 1 }, 'Malformed container credentials: unexpected field "Extra"'],
    ['container JSON with a field named like a secret', { ...container, [secret]: 1 }, 'Malformed container credentials: unexpected field'],
    [
      'an instance-metadata error answer',
      { ...container, Code: 'AssumeRoleUnauthorizedAccess' },
      'Malformed container credentials: Code is not "Success"',
    ],
    [
      'container JSON without a Token value',
      { ...container, Token: '' },
      'Malformed container credentials: Token must be non-empty printable ASCII without spaces',
    ],
    [
      'container JSON with a bad Expiration',
      { ...container, Expiration: 'soon' },
      'Malformed container credentials: Expiration must be an ISO-8601 date-time with a Z or ±hh:mm offset',
    ],
    [
      'container JSON without Expiration',
      { ...container, Expiration: undefined },
      'Malformed container credentials: Expiration must be a string',
    ],
    [
      'a credential_process document with Token',
      { Version: 1, ...container },
      'Malformed credential_process document: unexpected field "Token"',
    ],
    ['an API body whose credentials are missing', { credentials: null }, 'Malformed API response: credentials is not an object'],
    [
      'an API body with an epoch expiration',
      { credentials: { ...sdk, expiration: 1 } },
      'Malformed API response: credentials.expiration must be a Date or an ISO-8601 date-time with a Z or ±hh:mm offset',
    ],
    [
      'SDK credentials with an invalid Date',
      { ...sdk, expiration: new Date(Number.NaN) },
      'Malformed credentials: expiration must be a Date or an ISO-8601 date-time with a Z or ±hh:mm offset',
    ],
    [
      'SDK credentials with a secret in a space',
      { ...sdk, secretAccessKey: `${secret} x` },
      'Malformed credentials: secretAccessKey must be non-empty printable ASCII without spaces',
    ],
  ];

  it.each(cases)('rejects %s, never quoting a value', (_name, input, expected) => {
    const asText = typeof input === 'object' && input !== null && !Object.values(input).some((v) => v instanceof Date);
    for (const value of asText ? [input, JSON.stringify(input)] : [input]) {
      let error: unknown;
      try {
        parseCredentials(value);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(CredvendParseError);
      const e = error as CredvendParseError;
      expect(e.code).toBe('malformed_credentials');
      expect(e.message).toBe(expected);
      expect(e.message).not.toContain(secret);
      expect(e.message).not.toContain(token.slice(0, 24));
    }
  });

  it('reports a malformed serialized value as malformed_serialized', () => {
    expect(() => parseCredentials('not base64!')).toThrow(expect.objectContaining({ code: 'malformed_serialized' }));
  });
});
