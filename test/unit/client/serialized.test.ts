// parseSerialized / serialize: round trips of what the API returns, and strict rejection of the rest.

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { CredvendParseError, issueCredentials, parseSerialized, serialize } from '../../../client';
import { serializeCredentials } from '../../../lib/vend/credential-formats';
import { bounded } from '../../support/property';
import { FakeCredvend, randomAccessKeyId, randomApiKey } from './fake-credvend';

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

describe('round trips', () => {
  let fake: FakeCredvend;
  beforeAll(async () => {
    fake = await FakeCredvend.start();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('parses every serialized value the API returns into its credentials, and serializes back byte for byte', async () => {
    const apiKey = randomApiKey();
    for (const lifetime of [900, 901, 3600, 43_200, 129_600]) {
      fake.lifetimeSeconds = lifetime;
      for (let i = 0; i < 5; i++) await issueCredentials({ endpoint: fake.url, apiKey });
    }
    expect(fake.issued).toHaveLength(25);
    for (const body of fake.issued) {
      const parsed = parseSerialized(body.serialized);
      expect(parsed).toEqual({ ...body.credentials, expiration: new Date(body.credentials.expiration) });
      expect(serialize(parsed)).toBe(body.serialized);
    }
  });

  it('round-trips the server serializer for any credential strings and second-precision expiry', () => {
    const token = fc.string({
      unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_.~!'),
      minLength: 1,
      maxLength: 600,
    });
    const seconds = fc.integer({ min: 0, max: 253_402_300_799 }); // through 9999-12-31T23:59:59Z
    fc.assert(
      fc.property(token, token, token, seconds, (accessKeyId, secretAccessKey, sessionToken, s) => {
        const credentials = { accessKeyId, secretAccessKey, sessionToken, expiration: new Date(s * 1000) };
        const issued = { ...credentials, principalArn: 'arn:aws:sts::1:x', principalId: 'x', packedPolicySize: 1 };
        const wire = serializeCredentials(issued);
        expect(serialize(credentials)).toBe(wire);
        expect(parseSerialized(wire)).toEqual(credentials);
      }),
      { numRuns: 300, ...bounded() },
    );
  });

  it('accepts an explicit offset and fractional seconds in Expiration', () => {
    const doc = { Version: 1, AccessKeyId: randomAccessKeyId(), SecretAccessKey: 's', SessionToken: 't' };
    expect(parseSerialized(b64(JSON.stringify({ ...doc, Expiration: '2026-11-22T08:00:00+01:00' }))).expiration).toEqual(
      new Date('2026-11-22T07:00:00Z'),
    );
    expect(parseSerialized(b64(JSON.stringify({ ...doc, Expiration: '2026-11-22T07:00:00.250Z' }))).expiration).toEqual(
      new Date('2026-11-22T07:00:00.250Z'),
    );
  });
});

describe('rejections', () => {
  // Values that must never show up in an error message.
  const secret = randomBytes(30).toString('base64');
  const token = randomBytes(301).toString('base64');
  const good = {
    Version: 1,
    AccessKeyId: randomAccessKeyId(),
    SecretAccessKey: secret,
    SessionToken: token,
    Expiration: '2026-11-22T07:00:00Z',
  };
  const encode = (doc: unknown) => b64(JSON.stringify(doc));
  const valid = encode(good);
  const { Expiration: _e, ...withoutExpiration } = good;
  // A document whose base64 ends in "=": its last data character carries padding bits.
  const padded = encode({ ...good, SessionToken: `${token}x` }).endsWith('=')
    ? encode({ ...good, SessionToken: `${token}x` })
    : encode({ ...good, SessionToken: `${token}xy` });

  const BASE64 = 'not standard base64 (A-Z a-z 0-9 + / with = padding, no whitespace)';
  const DATE = 'Expiration must be an ISO-8601 date-time with a Z or ±hh:mm offset';
  const cases: [string, unknown, string][] = [
    ['an empty string', '', 'the input is empty'],
    ['a non-string', 42, 'expected a string'],
    ['base64url characters', `${valid.replace(/[+/]/g, (c) => (c === '+' ? '-' : '_'))}-_`, BASE64],
    ['whitespace only', ' \n', 'the input is empty'],
    ['embedded whitespace', `${valid.slice(0, 8)} ${valid.slice(8)}`, BASE64],
    ['missing padding', padded.replace(/=+$/, ''), BASE64],
    [
      'non-zero padding bits',
      padded.replace(/(.)(=+)$/, (_m, c: string, pad: string) => String.fromCharCode(c.charCodeAt(0) + 1) + pad),
      'not canonical base64',
    ],
    ['junk after the base64', `${valid}AAAA!`, BASE64],
    ['oversized input', 'A'.repeat(64 * 1024 + 4), 'the input is longer than 65536 characters'],
    [
      'invalid UTF-8',
      b64(Buffer.concat([Buffer.from('{"Version":1,"x":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')])),
      'the decoded bytes are not valid UTF-8',
    ],
    ['truncated JSON holding the secret', b64(JSON.stringify(good).slice(0, -20)), 'the decoded text is not a single JSON document'],
    ['junk after the JSON', b64(`${JSON.stringify(good)} ${secret}`), 'the decoded text is not a single JSON document'],
    ['two JSON documents', b64(JSON.stringify(good).repeat(2)), 'the decoded text is not a single JSON document'],
    ['a byte-order mark', b64(`\uFEFF${JSON.stringify(good)}`), 'the decoded text is not a single JSON document'],
    ['a JSON array', encode([good]), 'the decoded JSON is not an object'],
    ['JSON null', encode(null), 'the decoded JSON is not an object'],
    ['Version 2', encode({ ...good, Version: 2 }), 'Version must be the number 1'],
    ['Version "1"', encode({ ...good, Version: '1' }), 'Version must be the number 1'],
    ['no Version', encode({ ...good, Version: undefined }), 'Version must be the number 1'],
    ['no AccessKeyId', encode({ ...good, AccessKeyId: undefined }), 'AccessKeyId must be a string'],
    ['a numeric SecretAccessKey', encode({ ...good, SecretAccessKey: 12345 }), 'SecretAccessKey must be a string'],
    ['an empty SessionToken', encode({ ...good, SessionToken: '' }), 'SessionToken must be non-empty printable ASCII without spaces'],
    [
      'a SessionToken with a newline',
      encode({ ...good, SessionToken: `${token}\n${secret}` }),
      'SessionToken must be non-empty printable ASCII without spaces',
    ],
    ['no Expiration', encode(withoutExpiration), 'Expiration must be a string'],
    ['a numeric Expiration', encode({ ...good, Expiration: 1_790_000_000 }), 'Expiration must be a string'],
    ['a free-text Expiration', encode({ ...good, Expiration: 'tomorrow' }), DATE],
    ['an Expiration without a zone', encode({ ...good, Expiration: '2026-11-22T07:00:00' }), DATE],
    ['an impossible date', encode({ ...good, Expiration: '2026-02-30T07:00:00Z' }), DATE],
    ['the container shape (Token)', encode({ ...good, SessionToken: undefined, Token: token }), 'unexpected field "Token"'],
    ['an extra field', encode({ ...good, Extra: true }), 'unexpected field "Extra"'],
    ['a field named like a secret', encode({ ...good, [secret]: 1 }), 'unexpected field'],
  ];

  it.each(cases)('rejects %s', (_name, input, expected) => {
    let error: unknown;
    try {
      parseSerialized(input as string);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CredvendParseError);
    const e = error as CredvendParseError;
    expect(e.code).toBe('malformed_serialized');
    expect(e.message).toBe(`Malformed serialized credentials: ${expected}`);
    expect(e.message).not.toContain(secret);
    expect(e.message).not.toContain(token.slice(0, 24));
  });

  it('accepts the valid document every rejection case was derived from', () => {
    expect(parseSerialized(valid)).toEqual({
      accessKeyId: good.AccessKeyId,
      secretAccessKey: secret,
      sessionToken: token,
      expiration: new Date(good.Expiration),
    });
    expect(parseSerialized(padded).sessionToken.startsWith(token)).toBe(true);
  });

  it('ignores surrounding whitespace (a trailing newline from a file or echo), never whitespace inside', () => {
    const parsed = parseSerialized(valid);
    for (const wrapped of [`${valid}\n`, `${valid}\r\n`, `  ${valid}\t\n`, `\n${valid}`]) {
      expect(parseSerialized(wrapped)).toEqual(parsed);
    }
    expect(() => parseSerialized(`${valid.slice(0, 8)}\n${valid.slice(8)}`)).toThrow(BASE64);
  });

  it('never quotes the input, whatever is wrong with it', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), (junk) => {
        const input = b64(`{"Version":1,"SecretAccessKey":"${secret}",${junk}`);
        try {
          parseSerialized(input);
        } catch (err) {
          expect((err as Error).message).not.toContain(secret);
          return;
        }
        throw new Error('accepted malformed input');
      }),
      bounded(),
    );
  });
});
