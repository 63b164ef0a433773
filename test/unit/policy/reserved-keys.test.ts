// `__proto__`, `constructor` and `prototype` keys in policy documents are refused (issue 15): zod records
// dropped `__proto__` without a word (a condition key could vanish) and kept the other two.
import { describe, expect, it } from '@jest/globals';
import { reservedKeyPaths } from '../../../lib/policy/reserved-keys';
import { validatePolicyDocument } from '../../../lib/policy/validate';

/** A valid document (as JSON text) with `extra` spliced into a statement's condition block or the tags. */
function documentWith(condition: string, tags = '{"team":"blue"}'): unknown {
  return JSON.parse(`{
    "defaultMode": "federation",
    "modes": { "federation": { "defaultDurationSeconds": 900, "maxDurationSeconds": 3600 } },
    "statements": [{
      "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/{{tenantId}}/*",
      "Condition": ${condition}
    }],
    "sessionTags": ${tags}
  }`);
}

describe('reserved keys in a policy document', () => {
  it('the document without them is valid (the cases below differ only by the key)', () => {
    expect(validatePolicyDocument(documentWith('{"StringEquals":{"aws:SourceVpc":"vpc-1"}}'))).toMatchObject({ ok: true });
  });

  it.each<[string, string, string | undefined, string]>([
    [
      'a condition key __proto__',
      '{"StringEquals":{"__proto__":"vpc-1","aws:SourceVpc":"vpc-1"}}',
      undefined,
      '$.statements[0].Condition.StringEquals.__proto__',
    ],
    ['a condition operator __proto__', '{"__proto__":{"aws:SourceVpc":"vpc-1"}}', undefined, '$.statements[0].Condition.__proto__'],
    [
      'a condition key constructor',
      '{"StringEquals":{"constructor":"x"}}',
      undefined,
      '$.statements[0].Condition.StringEquals.constructor',
    ],
    ['a session tag prototype', '{"StringEquals":{"aws:SourceVpc":"vpc-1"}}', '{"prototype":"x"}', '$.sessionTags.prototype'],
    ['a session tag __proto__', '{"StringEquals":{"aws:SourceVpc":"vpc-1"}}', '{"__proto__":"x"}', '$.sessionTags.__proto__'],
  ])('%s: 422 problem reserved_key at its path, not dropped', (_, condition, tags, path) => {
    const result = validatePolicyDocument(documentWith(condition, tags));
    expect(result.ok).toBe(false);
    expect(result.problems.filter((p) => p.code === 'reserved_key').map((p) => p.path)).toEqual([path]);
  });

  it('a reserved key where the schema knows the fields is one problem, not also unknown_field', () => {
    const doc = JSON.parse(
      '{"defaultMode":"federation","modes":{"federation":{"defaultDurationSeconds":900,"maxDurationSeconds":3600}},' +
        '"statements":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","constructor":1}]}',
    );
    const result = validatePolicyDocument(doc);
    expect(result.problems).toEqual([
      {
        path: '$.statements[0].constructor',
        code: 'reserved_key',
        message: 'Keys named "__proto__", "constructor", "prototype" are not allowed',
      },
    ]);
  });
});

describe('reservedKeyPaths', () => {
  it('finds them at any depth, in arrays too, and nothing in plain values', () => {
    const value = JSON.parse('{"a":[{"b":{"__proto__":{"prototype":1}}}],"constructor":"x","c":"__proto__"}');
    expect(reservedKeyPaths(value)).toEqual(['$.a[0].b.__proto__', '$.a[0].b.__proto__.prototype', '$.constructor']);
    expect(reservedKeyPaths({ a: ['constructor'], b: 1 })).toEqual([]);
    expect(reservedKeyPaths('__proto__')).toEqual([]);
  });
});
