// The names STS gives a partner's sessions (DESIGN.md "Trust model"): derived from tenant and partner,
// so two tenants' partners with the same id never share a principal, and a request's sessionName only
// ever adds a suffix after the fixed per-partner part.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ID_PATTERN } from '../../../lib/core/model';
import { assertAssumeRoleWithinLimits, assertFederationWithinLimits, STS_LIMITS } from '../../../lib/policy/sts-limits';
import { federationName, partnerIdentity, principalFormats, roleSessionName } from '../../../lib/vend/principal-names';
import { bounded } from '../../support/property';

const RUNS = 500;
const STS_NAME = /^[\w+=,.@-]+$/;

/**
 * Tenant and partner ids as ID_PATTERN allows them, biased towards what could make names meet: ids that
 * share their first 4 or 16 characters (the readable parts are cut there), and the longest ids (32).
 */
const anyId = fc.stringMatching(ID_PATTERN);
const tail = fc.stringMatching(/^[a-z0-9-]{0,15}[a-z0-9]$/);
const sharedPrefixId = fc.tuple(fc.constantFrom('acme', 'acmecorporation1', 'a-b-', 'x'.repeat(16)), tail).map(([p, t]) => p + t);
const longestId = fc.stringMatching(/^[a-z0-9][a-z0-9-]{30}[a-z0-9]$/);
const id = fc.oneof(anyId, sharedPrefixId, longestId).filter((s) => ID_PATTERN.test(s));

/** Suffixes STS accepts in a name (any of them may be chosen by a partner). */
const suffix = fc.stringMatching(/^[\w+=,.@-]{1,12}$/);

describe('principal names: two partners never share one', () => {
  it('ids match what the generators claim', () => {
    fc.assert(
      fc.property(id, (value) => {
        expect(value).toMatch(ID_PATTERN);
      }),
      { numRuns: RUNS, ...bounded() },
    );
  });

  it("two tenants' partners with the same partner id never share a RoleSessionName, SourceIdentity or federation Name", () => {
    fc.assert(
      fc.property(
        fc.tuple(id, id).filter(([a, b]) => a !== b),
        id,
        suffix,
        suffix,
        ([tenantA, tenantB], partnerId, suffixA, suffixB) => {
          expect(partnerIdentity(tenantA, partnerId)).not.toBe(partnerIdentity(tenantB, partnerId));
          expect(federationName(tenantA, partnerId)).not.toBe(federationName(tenantB, partnerId));
          // Not even with suffixes each partner picks to imitate the other.
          expect(roleSessionName(tenantA, partnerId, suffixA)).not.toBe(roleSessionName(tenantB, partnerId, suffixB));
          expect(federationName(tenantA, partnerId, suffixA)).not.toBe(federationName(tenantB, partnerId, suffixB));
          expect(federationName(tenantA, partnerId, suffixA)).not.toBe(federationName(tenantB, partnerId));
        },
      ),
      { numRuns: RUNS, ...bounded() },
    );
  });

  it('no two (tenant, partner) pairs share a name, even with ids that shift across the separators', () => {
    const pair = fc.tuple(id, id);
    fc.assert(
      fc.property(
        fc.tuple(pair, pair).filter(([[t1, p1], [t2, p2]]) => t1 !== t2 || p1 !== p2),
        suffix,
        suffix,
        ([[t1, p1], [t2, p2]], s1, s2) => {
          expect(partnerIdentity(t1, p1)).not.toBe(partnerIdentity(t2, p2));
          expect(roleSessionName(t1, p1, s1)).not.toBe(roleSessionName(t2, p2, s2));
          expect(federationName(t1, p1, s1)).not.toBe(federationName(t2, p2, s2));
        },
      ),
      { numRuns: RUNS, ...bounded() },
    );
    // The hand-picked shifts: "ab" + "c-d" against "ab-c" + "d", and ids alike in their first 16 characters.
    expect(partnerIdentity('ab', 'c-d')).not.toBe(partnerIdentity('ab-c', 'd'));
    expect(partnerIdentity(`${'t'.repeat(16)}1`, 'p1')).not.toBe(partnerIdentity(`${'t'.repeat(16)}2`, 'p1'));
    expect(federationName('acme1', 'part1')).not.toBe(federationName('acme2', 'part1'));
  });
});

describe('principal names: a sessionName only adds a suffix', () => {
  it('leaves the per-partner part fixed, whatever the sessionName', () => {
    fc.assert(
      fc.property(id, id, suffix, (tenantId, partnerId, sessionName) => {
        const fixed = partnerIdentity(tenantId, partnerId);
        expect(roleSessionName(tenantId, partnerId, sessionName)).toBe(`${fixed}.${sessionName}`);
        expect(federationName(tenantId, partnerId, sessionName)).toBe(`${federationName(tenantId, partnerId)}-${sessionName}`);
      }),
      { numRuns: RUNS, ...bounded() },
    );
  });

  it('is deterministic, and readable: tenant and partner prefixes, then 16 base32 characters', () => {
    expect(partnerIdentity('acme', 'partner-one')).toBe(partnerIdentity('acme', 'partner-one'));
    expect(partnerIdentity('acme', 'partner-one')).toMatch(/^acme\.partner-one\.[a-z2-7]{16}$/);
    expect(federationName('acme', 'partner-one')).toMatch(/^acme\.part\.[a-z2-7]{16}$/);
    // The same hash in both: one (tenant, partner) pair, one identity.
    expect(federationName('acme', 'partner-one').split('.')[2]).toBe(partnerIdentity('acme', 'partner-one').split('.')[2]);
    const long = 'a'.repeat(16) + 'b'.repeat(16);
    expect(partnerIdentity(long, long)).toMatch(/^a{16}\.a{16}\.[a-z2-7]{16}$/);
  });
});

describe('principal names: STS limits for the longest ids', () => {
  const tenantId = `${'t'.repeat(31)}9`;
  const partnerId = `${'p'.repeat(31)}9`;

  it('fit: federation Name <= 32 without a suffix, RoleSessionName <= 64 with an 8-character suffix, SourceIdentity <= 64', () => {
    expect(tenantId).toMatch(ID_PATTERN);
    expect(partnerId).toMatch(ID_PATTERN);
    const name = federationName(tenantId, partnerId);
    const session = roleSessionName(tenantId, partnerId, '0123abcd');
    const source = partnerIdentity(tenantId, partnerId);
    expect(name.length).toBeLessThanOrEqual(STS_LIMITS.federationName.max);
    expect(session.length).toBeLessThanOrEqual(STS_LIMITS.roleSessionName.max);
    expect(source.length).toBeLessThanOrEqual(STS_LIMITS.sourceIdentity.max);
    for (const value of [name, session, source]) expect(value).toMatch(STS_NAME);
    expect(source.startsWith('aws:')).toBe(false);
    // And STS's own checks, as the issuance flow runs them, agree.
    const common = { durationSeconds: 900, policy: '{}', policyArns: [], tags: { tenant: tenantId, partner: partnerId } };
    expect(() => assertFederationWithinLimits({ ...common, name })).not.toThrow();
    expect(() =>
      assertAssumeRoleWithinLimits({
        ...common,
        roleArn: 'arn:aws:iam::123456789012:role/credvend/t',
        roleSessionName: session,
        roleMaxSessionDuration: 3600,
        externalId: 'cv-abcdefghijklmnopqrstuvwxyz234567',
        sourceIdentity: source,
        transitiveTagKeys: ['tenant', 'partner'],
      }),
    ).not.toThrow();
  });

  it('fit for every id, not only the longest', () => {
    fc.assert(
      fc.property(id, id, (t, p) => {
        expect(federationName(t, p).length).toBeLessThanOrEqual(STS_LIMITS.federationName.max);
        expect(federationName(t, p).length).toBeGreaterThanOrEqual(STS_LIMITS.federationName.min);
        expect(roleSessionName(t, p, '0123abcd').length).toBeLessThanOrEqual(STS_LIMITS.roleSessionName.max);
        expect(partnerIdentity(t, p).length).toBeLessThanOrEqual(STS_LIMITS.sourceIdentity.max);
        expect(roleSessionName(t, p, '0123abcd')).toMatch(STS_NAME);
        expect(federationName(t, p)).toMatch(STS_NAME);
      }),
      { numRuns: RUNS, ...bounded() },
    );
  });
});

describe('principalFormats', () => {
  it('shows the fixed parts and where the request chooses', () => {
    const formats = principalFormats('acme', 'partner-one');
    const fixed = partnerIdentity('acme', 'partner-one');
    expect(formats).toEqual({
      roleSessionName: `${fixed}.<sessionName or issuance id>`,
      sourceIdentity: fixed,
      federationName: federationName('acme', 'partner-one'),
      federationNameWithSuffix: `${federationName('acme', 'partner-one')}-<sessionName>`,
      sessionTags: { tenant: 'acme', partner: 'partner-one' },
    });
  });
});
