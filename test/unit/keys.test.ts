import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { KeyKind } from '../../lib/core/model';
import { generateKey, hashSecret, keyFromAuthorization, kindOfKeyId, parseKey, secretMatches } from '../../lib/identity/api-key';

const SECRET_43 = `${'A'.repeat(20) + 'b_-9'.repeat(5)}xyz`; // 43 base64url chars
const KEY_ID = 'pk-abcdefghijklmnop';
const VALID = `cv1.${KEY_ID}.${SECRET_43}`;

describe('generateKey', () => {
  it.each<[KeyKind, string]>([
    ['partner', 'pk'],
    ['admin', 'ak'],
    ['operator', 'ok'],
  ])('makes a %s key cv1.%s-<16 base32>.<43 base64url> whose hash is the SHA-256 of its secret', (kind, prefix) => {
    const key = generateKey(kind);
    expect(key.keyId).toMatch(new RegExp(`^${prefix}-[a-z2-7]{16}$`));
    expect(key.apiKey).toMatch(new RegExp(`^cv1\\.${key.keyId}\\.[A-Za-z0-9_-]{43}$`));
    const parsed = parseKey(key.apiKey);
    expect(parsed?.keyId).toBe(key.keyId);
    expect(key.secretHash).toBe(createHash('sha256').update(parsed!.secret).digest('hex'));
    expect(kindOfKeyId(key.keyId)).toBe(kind);
    expect(secretMatches(parsed!.secret, key.secretHash)).toBe(true);
  });

  it('never repeats an id or a secret, and the hash does not contain the secret', () => {
    const keys = Array.from({ length: 300 }, () => generateKey('partner'));
    expect(new Set(keys.map((k) => k.keyId)).size).toBe(300);
    expect(new Set(keys.map((k) => parseKey(k.apiKey)!.secret)).size).toBe(300);
    for (const k of keys) expect(k.secretHash).not.toContain(parseKey(k.apiKey)!.secret);
  });
});

describe('hashSecret', () => {
  it('is hex SHA-256 over UTF-8', () => {
    expect(hashSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashSecret('é')).toBe(
      createHash('sha256')
        .update(Buffer.from([0xc3, 0xa9]))
        .digest('hex'),
    );
  });
});

describe('parseKey', () => {
  it('splits a well-formed key into id and secret', () => {
    expect(parseKey(VALID)).toEqual({ keyId: KEY_ID, secret: SECRET_43 });
    expect(parseKey(`cv1.ak-2345672345672345.${SECRET_43}`)).toEqual({ keyId: 'ak-2345672345672345', secret: SECRET_43 });
    expect(parseKey(`cv1.ok-aaaaaaaaaaaaaaaa.${SECRET_43}`)?.keyId).toBe('ok-aaaaaaaaaaaaaaaa');
  });

  it.each([
    ['empty', ''],
    ['another version', `cv2.${KEY_ID}.${SECRET_43}`],
    ['no version', `${KEY_ID}.${SECRET_43}`],
    ['unknown kind prefix', `cv1.xk-abcdefghijklmnop.${SECRET_43}`],
    ['upper-case id', `cv1.pk-ABCDEFGHIJKLMNOP.${SECRET_43}`],
    ['id with non-base32 digit', `cv1.pk-abcdefghijklmno1.${SECRET_43}`],
    ['id too short', `cv1.pk-abcdefghijklmno.${SECRET_43}`],
    ['id too long', `cv1.pk-abcdefghijklmnopq.${SECRET_43}`],
    ['secret too short', `cv1.${KEY_ID}.${SECRET_43.slice(1)}`],
    ['secret too long', `cv1.${KEY_ID}.${SECRET_43}a`],
    ['standard base64 chars in secret', `cv1.${KEY_ID}.${SECRET_43.slice(2)}+/`],
    ['padded secret', `cv1.${KEY_ID}.${SECRET_43.slice(1)}=`],
    ['missing secret', `cv1.${KEY_ID}.`],
    ['extra part', `${VALID}.x`],
    ['leading space', ` ${VALID}`],
    ['trailing newline', `${VALID}\n`],
    ['Bearer prefix', `Bearer ${VALID}`],
  ])('rejects %s', (_, input) => {
    expect(parseKey(input)).toBeUndefined();
  });
});

describe('kindOfKeyId', () => {
  it.each([
    ['pk-abcdefghijklmnop', 'partner'],
    ['ak-abcdefghijklmnop', 'admin'],
    ['ok-abcdefghijklmnop', 'operator'],
    ['xk-abcdefghijklmnop', undefined],
    ['p', undefined],
    ['', undefined],
  ])('%s -> %s', (keyId, kind) => {
    expect(kindOfKeyId(keyId)).toBe(kind);
  });
});

describe('secretMatches', () => {
  const hash = hashSecret(SECRET_43);

  it('accepts the right secret only', () => {
    expect(secretMatches(SECRET_43, hash)).toBe(true);
    expect(secretMatches(`${SECRET_43.slice(0, 42)}q`, hash)).toBe(false);
    expect(secretMatches('', hash)).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['truncated', hash.slice(0, 62)],
    ['not hex', 'z'.repeat(64)],
    ['the secret itself', SECRET_43],
    ['too long', `${hash}00`],
  ])('answers false without throwing for a %s stored hash', (_, stored) => {
    expect(secretMatches(SECRET_43, stored)).toBe(false);
  });
});

describe('keyFromAuthorization', () => {
  it.each<[string | undefined, boolean, string | undefined]>([
    [undefined, false, undefined],
    ['', false, undefined],
    [`Bearer ${VALID}`, false, VALID],
    [`bearer ${VALID}`, false, VALID],
    [`BEARER    ${VALID}`, false, VALID],
    [`Bearer\t${VALID}`, false, VALID],
    [`  Bearer ${VALID}  `, false, VALID],
    [`Bearer ${VALID}`, true, VALID],
    ['Bearer', false, undefined],
    ['Bearer ', false, undefined],
    [`Bearer ${VALID} extra`, false, undefined],
    [`Bearer ${VALID} extra`, true, undefined],
    [`Basic ${VALID}`, false, undefined],
    [`Basic ${VALID}`, true, undefined],
    [`Bearer:${VALID}`, false, undefined],
    [VALID, false, undefined],
    [VALID, true, VALID],
    [` ${VALID}\n`, true, VALID],
  ])('%j (allowBare %s) -> %j', (header, allowBare, expected) => {
    expect(keyFromAuthorization(header, allowBare)).toBe(expected);
  });

  it('does not accept a bare key unless asked to', () => {
    expect(keyFromAuthorization(VALID)).toBeUndefined();
  });

  it('finds no key in a blank header, bare or not', () => {
    // '' or undefined: both read as "no key" by the Authenticator (see auth.test.ts).
    expect(keyFromAuthorization('   ', true) ?? '').toBe('');
    expect(keyFromAuthorization('   ', false)).toBeUndefined();
  });
});
