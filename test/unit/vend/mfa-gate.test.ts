// MFA-gated issuance in the flow (issue 19): after the rate limit, before planning; the 403s; the
// session tag mfa=true only after a checked code (never from the tenant's tags); the record says so.
import { beforeEach, describe, expect, it } from '@jest/globals';
import type { AppError } from '../../../lib/core/errors';
import type { TenantPolicyDocument } from '../../../lib/core/model';
import type { Caller } from '../../../lib/identity/authenticate';
import { mfaRequired } from '../../../lib/policy/mfa';
import { type IssueDeps, type IssueRequest, issueCredentials, planIssuance } from '../../../lib/vend/issue';
import { checkMfa, mfaAssertionFromClaims } from '../../../lib/vend/mfa-gate';
import type { MfaOutcome } from '../../../lib/vend/ports';
import {
  binding,
  FakeDirectory,
  FakeLedger,
  FakeRateLimiter,
  FakeSts,
  PARTNER_ID,
  policyDocument,
  ROLE_NAME,
  TENANT_ID,
  tenant,
  tenantPolicy,
} from '../issuance-fakes';

const caller: Caller = { kind: 'partner', keyId: 'pk-abcdefghijklmnop', tenantId: TENANT_ID, partnerId: PARTNER_ID };
const ctx = { caller, requestId: 'req-1', sourceIp: '192.0.2.1', userAgent: 'jest' };

let directory: FakeDirectory;
let ledger: FakeLedger;
let sts: FakeSts;
let limiter: FakeRateLimiter;
let checks: string[];
let outcome: MfaOutcome;
let deps: IssueDeps;

beforeEach(() => {
  directory = new FakeDirectory();
  ledger = new FakeLedger();
  sts = new FakeSts();
  limiter = new FakeRateLimiter();
  checks = [];
  outcome = 'verified';
  deps = {
    directory,
    ledger,
    sts,
    now: () => new Date(),
    newId: () => 'id-1',
    rateLimiter: limiter,
    partnerRateCeilingPerMinute: 60,
    // The real gate over a fake device check (lib/wiring/mfa.ts gives it the partner's devices).
    mfa: {
      check: (resolved, tenantId, partnerId, request, ctx) =>
        checkMfa(resolved, request.mfaCode, ctx.mfaAssertion, async (code) => {
          checks.push(`${tenantId}/${partnerId}/${code}`);
          return outcome;
        }),
    },
  };
});

function withPolicy(doc: TenantPolicyDocument) {
  directory.context = { ...directory.context, tenant: tenant({ binding: binding() }), policy: tenantPolicy(doc) };
}

const refusal = (request: IssueRequest, extra: Partial<typeof ctx> = {}) =>
  issueCredentials(deps, { ...ctx, ...extra }, request).then(
    () => {
      throw new Error('expected a refusal');
    },
    (err: AppError) => ({ status: err.statusCode, code: err.code }),
  );

describe('mfaRequired', () => {
  const doc = policyDocument({ mfa: { modes: ['federation'], roles: [ROLE_NAME] } });
  it('is true for a listed mode, and for assume-role with a listed role; false otherwise', () => {
    expect(mfaRequired(doc, 'federation', doc.modes.federation)).toBe(true);
    expect(mfaRequired(doc, 'assume-role', doc.modes['assume-role'])).toBe(true);
    const other = policyDocument({ mfa: { roles: ['other'] } });
    expect(mfaRequired(other, 'assume-role', other.modes['assume-role'])).toBe(false);
    expect(mfaRequired(other, 'federation', other.modes.federation)).toBe(false);
    expect(mfaRequired(policyDocument(), 'assume-role', policyDocument().modes['assume-role'])).toBe(false);
  });
});

describe('issuance under an MFA requirement', () => {
  beforeEach(() => withPolicy(policyDocument({ mfa: { modes: ['assume-role'] } })));

  it('without a code: 403 mfa_required, after the rate limit counted it, with no check, no STS call, no record', async () => {
    expect(await refusal({})).toEqual({ status: 403, code: 'mfa_required' });
    expect(limiter.consumed).toHaveLength(1);
    expect(checks).toEqual([]);
    expect(sts.calls).toBe(0);
    expect(ledger.records).toEqual([]);
  });

  it.each([
    ['invalid', 403, 'mfa_code_invalid'],
    ['replayed', 403, 'mfa_code_replayed'],
    ['not_enrolled', 403, 'mfa_not_enrolled'],
    ['unavailable', 503, 'mfa_unavailable'],
  ] as const)('a code found %s: %i %s, nothing issued', async (found, status, code) => {
    outcome = found;
    expect(await refusal({ mfaCode: '123456' })).toEqual({ status, code });
    expect(checks).toEqual([`${TENANT_ID}/${PARTNER_ID}/123456`]);
    expect(sts.calls).toBe(0);
  });

  it('a rate-limited partner gets 429 before any code is checked (brute force costs its budget)', async () => {
    limiter.refuse = true;
    expect(await refusal({ mfaCode: '123456' })).toEqual({ status: 429, code: 'rate_limited' });
    expect(checks).toEqual([]);
  });

  it('a verified code: the session carries mfa=true (not transitive) and the record mfa: true', async () => {
    const result = await issueCredentials(deps, ctx, { mfaCode: '123456' });
    expect(sts.assumeRoles[0]!.tags).toEqual(expect.objectContaining({ mfa: 'true', tenant: TENANT_ID, partner: PARTNER_ID }));
    // Not transitive: a role chained from the session proved no second factor itself.
    expect(sts.assumeRoles[0]!.transitiveTagKeys).toEqual(['tenant', 'partner']);
    expect(result.record.mfa).toBe(true);
    expect(ledger.records[0]!.mfa).toBe(true);
  });

  it('a mode the requirement does not name issues without a code, and without the tag', async () => {
    const result = await issueCredentials(deps, ctx, { mode: 'federation' });
    expect(sts.federation[0]!.tags).not.toHaveProperty('mfa');
    expect(result.record.mfa).toBeUndefined();
  });

  it('a claims assertion (the web-identity hook) counts as MFA without a code', async () => {
    const assertion = mfaAssertionFromClaims({ amr: ['pwd', 'mfa'] });
    expect(assertion).toEqual({ source: 'claims' });
    expect(mfaAssertionFromClaims({ amr: ['pwd'] })).toBeUndefined();
    expect(mfaAssertionFromClaims({ amr: 'mfa' })).toBeUndefined();
    const result = await issueCredentials(deps, { ...ctx, mfaAssertion: assertion }, {});
    expect(result.record.mfa).toBe(true);
    expect(checks).toEqual([]);
  });
});

describe('without a requirement', () => {
  it('no code: no check at all (the verifier is never loaded), no tag', async () => {
    withPolicy(policyDocument());
    const result = await issueCredentials(deps, ctx, {});
    expect(checks).toEqual([]);
    expect(sts.assumeRoles[0]!.tags).not.toHaveProperty('mfa');
    expect(result.record.mfa).toBeUndefined();
  });

  it('a code sent anyway is checked: a wrong one is refused, a right one marks the session', async () => {
    withPolicy(policyDocument());
    outcome = 'invalid';
    expect(await refusal({ mfaCode: '000000' })).toEqual({ status: 403, code: 'mfa_code_invalid' });
    outcome = 'verified';
    expect((await issueCredentials(deps, ctx, { mfaCode: '000001' })).record.mfa).toBe(true);
  });

  it("a tenant's own mfa tag (stored before the key was reserved), in any case, never reaches STS", async () => {
    withPolicy(policyDocument({ sessionTags: { MFA: 'true', mfa: 'true', team: 'x' } }));
    await issueCredentials(deps, ctx, {});
    const tags = sts.assumeRoles[0]!.tags;
    expect(Object.keys(tags).map((k) => k.toLowerCase())).not.toContain('mfa');
    expect(tags.team).toBe('x');
    const plan = planIssuance(
      {
        policy: tenantPolicy(policyDocument({ sessionTags: { Mfa: 'yes' } })),
        binding: binding(),
        mode: 'federation',
        settings: policyDocument().modes.federation!,
      },
      { tenantId: TENANT_ID, partnerId: PARTNER_ID },
      {},
      'id-2',
      true,
    );
    expect(plan.request.tags).toEqual({ tenant: TENANT_ID, partner: PARTNER_ID, mfa: 'true' });
  });
});
