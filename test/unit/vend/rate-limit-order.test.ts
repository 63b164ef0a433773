// Rate limits before policy planning (issue 15): every request that reaches planning is counted, refused
// ones too, against the lowest of the tenant's limits and the operators' per-partner ceiling.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../../lib/core/config';
import { type AppError, RateLimitedError } from '../../../lib/core/errors';
import type { Caller } from '../../../lib/identity/authenticate';
import { type IssueDeps, type IssueRequest, issueCredentials } from '../../../lib/vend/issue';
import {
  binding,
  FakeDirectory,
  FakeLedger,
  FakeRateLimiter,
  FakeSts,
  NO_MFA,
  PARTNER_ID,
  policyDocument,
  TENANT_ID,
  tenant,
  tenantPolicy,
} from '../issuance-fakes';

const caller: Caller = { kind: 'partner', keyId: 'pk-abcdefghijklmnop', tenantId: TENANT_ID, partnerId: PARTNER_ID };
const ctx = { caller, requestId: 'req-1', sourceIp: '192.0.2.1', userAgent: 'jest' };
const CEILING = 60;

let directory: FakeDirectory;
let ledger: FakeLedger;
let sts: FakeSts;
let limiter: FakeRateLimiter;
let deps: IssueDeps;

beforeEach(() => {
  directory = new FakeDirectory();
  ledger = new FakeLedger();
  sts = new FakeSts();
  limiter = new FakeRateLimiter();
  deps = {
    directory,
    ledger,
    sts,
    now: () => new Date(),
    newId: () => 'id-1',
    rateLimiter: limiter,
    partnerRateCeilingPerMinute: CEILING,
    mfa: NO_MFA,
  };
});

function withLimits(policyPerMinute: number | undefined, bindingPerMinute: number | undefined) {
  directory.context = {
    ...directory.context,
    tenant: tenant({ binding: binding(bindingPerMinute === undefined ? {} : { maxIssuancesPerMinute: bindingPerMinute }) }),
    policy: tenantPolicy(policyDocument(policyPerMinute === undefined ? {} : { rateLimit: { perMinute: policyPerMinute } })),
  };
}

const failure = (request: IssueRequest) =>
  issueCredentials(deps, ctx, request).then(
    () => {
      throw new Error('expected a refusal');
    },
    (err: unknown) => err as AppError,
  );

describe('the service-wide per-partner ceiling', () => {
  it('counts every issuance against it when the tenant sets no limit', async () => {
    withLimits(undefined, undefined);
    await issueCredentials(deps, ctx, {});
    expect(limiter.consumed).toEqual([[TENANT_ID, PARTNER_ID, CEILING]]);
    expect(ledger.records).toHaveLength(1);
  });

  it.each<[number | undefined, number | undefined, number]>([
    [10, undefined, 10],
    [undefined, 20, 20],
    [10, 20, 10],
    [100_000, undefined, CEILING],
    [undefined, 100_000, CEILING],
    [100, 200, CEILING],
  ])('policy %s, binding %s: counted against %i (a tenant limit may only be lower)', async (policyLimit, bindingLimit, expected) => {
    withLimits(policyLimit, bindingLimit);
    await issueCredentials(deps, ctx, {});
    expect(limiter.consumed).toEqual([[TENANT_ID, PARTNER_ID, expected]]);
  });

  it('is read from PARTNER_RATE_CEILING_PER_MINUTE, 6,000 when unset, and refused out of range', () => {
    expect(loadConfig({}).partnerRateCeilingPerMinute).toBe(6000);
    expect(loadConfig({ PARTNER_RATE_CEILING_PER_MINUTE: '120' }).partnerRateCeilingPerMinute).toBe(120);
    expect(() => loadConfig({ PARTNER_RATE_CEILING_PER_MINUTE: '0' })).toThrow('PARTNER_RATE_CEILING_PER_MINUTE');
  });
});

describe('the rate limit comes before policy planning', () => {
  it.each<[string, IssueRequest, number, string]>([
    ['a scope the policy does not cover', { scope: { actions: ['iam:CreateUser'] } }, 403, 'scope_not_allowed'],
    ['a duration over the maximum', { durationSeconds: 99_999 }, 422, 'duration_not_allowed'],
    ['a session name STS would refuse', { sessionName: 'has spaces' }, 422, 'sts_limit_exceeded'],
  ])('a request refused for %s still uses up the budget', async (_, request, status, code) => {
    const err = await failure(request);
    expect([err.statusCode, err.code]).toEqual([status, code]);
    expect(limiter.consumed).toEqual([[TENANT_ID, PARTNER_ID, CEILING]]);
    expect(sts.calls).toBe(0);
  });

  it('over the limit, the answer is 429 whatever the plan would have said, and nothing is planned or issued', async () => {
    limiter.refuse = true;
    // A stored policy with a withdrawn placeholder would be 403 policy_needs_update once rendered.
    directory.context = {
      ...directory.context,
      policy: tenantPolicy(
        policyDocument({ statements: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/{{sessionName}}/*' }] }),
      ),
    };
    const err = await failure({ scope: { actions: ['iam:CreateUser'] } });
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.headers).toEqual({ 'Retry-After': '7' });
    expect(limiter.consumed).toHaveLength(1);
    expect(sts.calls).toBe(0);
    expect(ledger.records).toEqual([]);
  });

  it('a request refused before the tenant context is known (a disabled partner) is not counted', async () => {
    directory.context = { ...directory.context, partner: { ...directory.context.partner!, status: 'disabled' } };
    const err = await failure({});
    expect(err.code).toBe('partner_disabled');
    expect(limiter.consumed).toEqual([]);
  });
});
