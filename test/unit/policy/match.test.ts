import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { asList, patternCovers } from '../../../lib/policy/match';
import { bounded } from '../../support/property';

/** Reference glob: `*` any run of characters, `?` exactly one, everything else literal. */
function globMatches(pattern: string, value: string, ignoreCase = false): boolean {
  const source = [...pattern]
    .map((ch) => (ch === '*' ? '[\\s\\S]*' : ch === '?' ? '[\\s\\S]' : ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

describe('patternCovers examples', () => {
  it.each<[string, string, boolean]>([
    ['s3:GetObject', 's3:GetObject', true],
    ['s3:GetObject', 's3:GetObjects', false],
    ['s3:GetObject', 's3:GetObjec', false],
    ['*', 's3:GetObject', true],
    ['*', '*', true],
    ['*', '', true],
    ['', '', true],
    ['', 'a', false],
    ['**', 'anything?*', true],
    ['s3:*', 's3:Get*', true],
    ['s3:*', 's3:*', true],
    ['s3:Get*', 's3:*', false],
    ['s3:Get*', 's3:Get*Tagging', true],
    ['s3:Get*', 's3:Put*', false],
    ['s3:GetObjec?', 's3:GetObject', true],
    ['s3:GetObjec?', 's3:GetObjec?', false],
    ['s3:GetObjec?', 's3:GetObjec*', false],
    ['s3:GetObjec*', 's3:GetObjec?', true],
    ['s3:?etObject', 's3:GetObject', true],
    ['*Object', 's3:Get*Object', true],
    ['*Object', 's3:Get*', false],
    ['arn:aws:s3:::b/*', 'arn:aws:s3:::b', false],
    ['arn:aws:s3:::b/*', 'arn:aws:s3:::b/', true],
    ['arn:aws:s3:::b/*', 'arn:aws:s3:::b/acme/p1/*', true],
    ['arn:aws:s3:::b/acme/*', 'arn:aws:s3:::b/*', false],
    ['arn:aws:s3:::b/acme/*', 'arn:aws:s3:::b/acme*', false],
    ['arn:aws:s3:::b/acme/*', 'arn:aws:s3:::b/acm?/x', false],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'a*c', false],
  ])('patternCovers(%j, %j) = %s', (pattern, requested, expected) => {
    expect(patternCovers(pattern, requested)).toBe(expected);
  });

  it('ignores case only when asked (actions yes, resources no)', () => {
    expect(patternCovers('s3:GetObject', 'S3:getobject', true)).toBe(true);
    expect(patternCovers('S3:GET*', 's3:getObject', true)).toBe(true);
    expect(patternCovers('s3:GetObject', 'S3:getobject')).toBe(false);
    expect(patternCovers('arn:aws:s3:::Bucket/*', 'arn:aws:s3:::bucket/x')).toBe(false);
  });
});

describe('asList', () => {
  it('normalises an IAM string-or-list', () => {
    expect(asList(undefined)).toEqual([]);
    expect(asList('a')).toEqual(['a']);
    expect(asList(['a', 'b'])).toEqual(['a', 'b']);
    expect(asList([])).toEqual([]);
  });
});

describe('patternCovers properties', () => {
  // A small alphabet so random patterns and requests overlap often; ':' and '/' as in ARNs.
  const alphabet = fc.constantFrom('a', 'b', 'c', ':', '/');
  const patternChar = fc.oneof(alphabet, fc.constantFrom('*', '?'));
  const withWildcards = fc.string({ unit: patternChar, maxLength: 8 });
  const concrete = fc.string({ unit: fc.oneof(alphabet, fc.constantFrom('x', 'é', '.')), maxLength: 4 });

  /** A pattern made from `requested` by turning random spans into `*` and literals into `?`: it must cover it. */
  const generalisation = (requested: string) =>
    fc
      .array(fc.constantFrom('keep', 'keep', 'keep', 'star', 'question', 'dropIntoStar'), {
        minLength: requested.length,
        maxLength: requested.length,
      })
      .map((ops) => {
        let out = '';
        [...requested].forEach((ch, i) => {
          const op = ops[i]!;
          // A wildcard of the request can only be absorbed by a `*` of the pattern (by design, see match.ts).
          if (ch === '*' || ch === '?' || op === 'dropIntoStar') out += out.endsWith('*') ? '' : '*';
          else if (op === 'keep') out += ch;
          else if (op === 'question') out += '?';
          else out += `${ch}*`;
        });
        return out;
      });

  const pairs = fc.oneof(
    fc.tuple(withWildcards, withWildcards),
    withWildcards.chain((r) => fc.tuple(generalisation(r), fc.constant(r))),
  );

  /** Replaces each `*` of the request with a random string and each `?` with one random character. */
  const expansion = (requested: string) =>
    fc
      .tuple(
        fc.array(concrete, { minLength: requested.length, maxLength: requested.length }),
        fc.array(fc.constantFrom('a', 'z', ':', 'é', '*', '?'), { minLength: requested.length, maxLength: requested.length }),
      )
      .map(([runs, chars]) => [...requested].map((ch, i) => (ch === '*' ? runs[i]! : ch === '?' ? chars[i]! : ch)).join(''));

  it('if patternCovers(p, r), every concrete expansion of r matches p as a glob', () => {
    let covered = 0;
    fc.assert(
      fc.property(
        pairs.chain(([p, r]) => fc.tuple(fc.constant(p), fc.constant(r), fc.array(expansion(r), { minLength: 1, maxLength: 5 }))),
        ([p, r, expansions]) => {
          if (!patternCovers(p, r)) return;
          covered++;
          for (const concreteValue of expansions) expect(globMatches(p, concreteValue)).toBe(true);
        },
      ),
      { numRuns: 2000, ...bounded() },
    );
    // The property must not hold vacuously.
    expect(covered).toBeGreaterThan(500);
  });

  it('the same holds ignoring case', () => {
    const mixedCase = fc.string({ unit: fc.constantFrom('a', 'A', 'b', 'B', ':', '*', '?'), maxLength: 8 });
    /** `s` with a random choice of its letters in the other case. */
    const recased = (s: string) =>
      fc
        .array(fc.boolean(), { minLength: s.length, maxLength: s.length })
        .map((flips) => [...s].map((ch, i) => (flips[i] ? (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase()) : ch)).join(''));
    let runs = 0;
    let covered = 0;
    let onlyIgnoringCase = 0;
    fc.assert(
      fc.property(
        mixedCase.chain((r) => fc.tuple(fc.oneof(mixedCase, generalisation(r).chain(recased)), fc.constant(r), expansion(r))),
        ([p, r, concreteValue]) => {
          runs++;
          if (!patternCovers(p, r, true)) return;
          covered++;
          if (!patternCovers(p, r)) onlyIgnoringCase++;
          expect(globMatches(p, concreteValue, true)).toBe(true);
        },
      ),
      { numRuns: 1000, ...bounded() },
    );
    // Every run happened, and the property held non-vacuously: about half the pairs are covered,
    // a quarter only once case is ignored.
    expect(runs).toBe(1000);
    expect(covered).toBeGreaterThan(250);
    expect(onlyIgnoringCase).toBeGreaterThan(100);
  });

  it("answers false (fail closed) when only a pattern '?' faces a request '?'", () => {
    // Semantically equal, but the request's wildcards may only be absorbed by a '*': a conservative 403.
    expect(patternCovers('?', '?')).toBe(false);
    expect(patternCovers('*', '?')).toBe(true);
  });

  it('covers every generalisation of a request (no spurious 403 for the obvious cases)', () => {
    fc.assert(
      fc.property(
        withWildcards.chain((r) => fc.tuple(generalisation(r), fc.constant(r))),
        ([p, r]) => patternCovers(p, r),
      ),
      { numRuns: 1000, ...bounded() },
    );
  });

  it('for a request without wildcards, coverage is exactly glob matching', () => {
    const concreteRequest = fc.string({ unit: fc.constantFrom('a', 'b', 'c', ':'), maxLength: 8 });
    fc.assert(
      fc.property(withWildcards, concreteRequest, (p, r) => patternCovers(p, r) === globMatches(p, r)),
      { numRuns: 2000, ...bounded() },
    );
  });

  it('is transitive', () => {
    fc.assert(
      fc.property(
        withWildcards.chain((c) => generalisation(c).chain((b) => fc.tuple(generalisation(b), fc.constant(b), fc.constant(c)))),
        ([a, b, c]) => patternCovers(a, b) && patternCovers(b, c) && patternCovers(a, c),
      ),
      { numRuns: 1000, ...bounded() },
    );
  });
});
