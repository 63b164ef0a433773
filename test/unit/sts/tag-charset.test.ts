// Rendered session-tag values are held to STS's tag charset before STS is called (issue 15): a `,` or a
// quote in a value is a 422 naming the tag, not STS's own ValidationError.
import { describe, expect, it } from '@jest/globals';
import type { AppError } from '../../../lib/core/errors';
import type { Caller } from '../../../lib/identity/authenticate';
import { issueCredentials } from '../../../lib/vend/issue';
import { FakeDirectory, FakeLedger, FakeSts, NO_MFA, PARTNER_ID, policyDocument, TENANT_ID, tenantPolicy } from '../issuance-fakes';

const caller: Caller = { kind: 'partner', keyId: 'pk-abcdefghijklmnop', tenantId: TENANT_ID, partnerId: PARTNER_ID };

describe('session-tag values against STS character rules', () => {
  it.each<[string, string]>([
    ['a comma', 'blue,green'],
    ['a quote', 'say "hi"'],
    ['a semicolon', 'a;b'],
    ['a brace left by a stored template', '{team}'],
  ])('%s in a stored tag value: 422 sts_limit_exceeded naming the tag, STS never called (both modes)', async (_, value) => {
    for (const mode of ['assume-role', 'federation'] as const) {
      const directory = new FakeDirectory();
      // Stored before the PUT-time check existed, or written around it: issuance checks it again.
      directory.context.policy = tenantPolicy(policyDocument({ sessionTags: { team: value, cost: 'ok' } }));
      const sts = new FakeSts();
      const deps = { directory, ledger: new FakeLedger(), sts, now: () => new Date(), newId: () => 'id-1', mfa: NO_MFA };
      const err = (await issueCredentials(deps, { caller, requestId: 'r', sourceIp: '', userAgent: '' }, { mode }).catch(
        (e) => e,
      )) as AppError;
      expect([err.statusCode, err.code]).toEqual([422, 'sts_limit_exceeded']);
      expect(err.details).toEqual([expect.objectContaining({ limit: 'Tags', code: 'invalid_tag_value', tag: 'team' })]);
      expect(sts.calls).toBe(0);
    }
  });

  it('letters of any script, digits, spaces and _.:/=+-@ pass', async () => {
    const directory = new FakeDirectory();
    directory.context.policy = tenantPolicy(policyDocument({ sessionTags: { team: 'Équipe 7: a/b=c+d-e@f_g.h' } }));
    const sts = new FakeSts();
    const deps = { directory, ledger: new FakeLedger(), sts, now: () => new Date(), newId: () => 'id-1', mfa: NO_MFA };
    await issueCredentials(deps, { caller, requestId: 'r', sourceIp: '', userAgent: '' }, {});
    expect(sts.assumeRoles[0]?.tags.team).toBe('Équipe 7: a/b=c+d-e@f_g.h');
  });
});
