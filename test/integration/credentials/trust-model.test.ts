// Issue #14, DESIGN.md "Trust model": the confused-deputy attacks on credvend's one AWS identity, each
// through the real HTTP stack (serverless-offline, dynalite, and the local STS, which evaluates the
// roles' real trust policies), by an attacker who holds only a fresh tenant's admin key and partner key.
//
// Every test here fails on the pre-#14 code (commit 15dcc46), each on the hole it probes:
// - role confusion: the tenant policy itself named `roleArn` and `externalId`, so the attacker's PUT
//   naming the victim's role and external ID answered 200 (not 422 owned_by_operator) and its partner
//   then received the victim's role; there was no binding, no generated external ID and no trust view
//   (GET|PUT /binding, /trust, rotate and activate answered 404);
// - federation: statements had no resource boundary (PUT 200, preview ok, issuance 201 whatever the
//   resources), and GetFederationToken carried no session tags;
// - principals: RoleSessionName was the request's sessionName verbatim (or "<partnerId>.<id>"), and
//   SourceIdentity and the federation Name the bare partner id, so partners with one id in two tenants
//   shared principal ARNs, and a sessionName equal to another partner's session name WAS that
//   partner's principal;
// - {{sessionName}} was a placeholder: PUT accepted it, preview rendered it and issuance put the
//   caller's text into the session policy (201, not 403 policy_outside_binding).

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TenantPolicyDocument } from '../../../lib/core/model';
import { DEMO_ROLE, demoPolicy } from '../../../local/seed';
import { addTestPartner, call, closeTables, createTestTenant, writeStoredPolicy } from '../../support/api';
import { control } from '../../support/control';
import {
  bind,
  bindingOf,
  EXTERNAL_ID,
  errorLogLinesFor,
  federationNameOf,
  ISSUER_PRINCIPAL_ARN,
  LOCAL_ACCOUNT,
  type OnboardedTenant,
  onboardBoundTenant,
  onboardTenant,
  putPolicy,
  registerRole,
  roleSessionNameOf,
  trustOf,
} from '../../support/trust';
import { newKey, pastCacheTtl } from '../admin/support';
import { ledgerOf } from '../reliability/support';

const issue = (partnerKey: string, body: unknown = {}) => call('POST', '/v1/credentials', { key: partnerKey, body });

/** What a tenant admin writes for an assume-role tenant: a bound role by name, statements under its prefix. */
function roleOnlyPolicy(role: string, bucket: string): TenantPolicyDocument {
  return {
    defaultMode: 'assume-role',
    modes: { 'assume-role': { role, defaultDurationSeconds: 900, maxDurationSeconds: 3600 } },
    statements: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/{{tenantId}}/*` }],
  };
}

/** The AssumeRole calls the local STS received since the last reset. */
async function assumeRoleCalls() {
  return (await control.stsCalls()).filter((c) => c.action === 'AssumeRole');
}

/** The function's ERROR lines for a request id; they reach the log file shortly after the answer. */
async function errorLinesFor(requestId: string): Promise<Record<string, any>[]> {
  for (let attempt = 0; ; attempt++) {
    const lines = errorLogLinesFor(readFileSync(process.env.CREDVEND_TEST_LOG!, 'utf8'), requestId);
    if (lines.length || attempt >= 20) return lines;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let operatorKey: string;
/** The attacker: one fresh tenant, created by an operator like any other, with its admin and partner keys. */
let attacker: OnboardedTenant;

beforeAll(async () => {
  operatorKey = (await newKey('operator')).apiKey;
  attacker = await onboardTenant(operatorKey);
});
afterAll(() => closeTables());

describe('1. role confusion: the attacker cannot get the victim tenant’s role', () => {
  const victim = {} as OnboardedTenant & { roleArn: string; externalId: string; principalArn: string };

  it('the victim, set up as a real tenant is (trust view -> role with exactly that trust policy -> binding), issues as its role', async () => {
    Object.assign(victim, await onboardTenant(operatorKey));
    const trust = await trustOf(victim.adminKey, victim.tenantId);
    expect(trust.externalId).toMatch(EXTERNAL_ID);
    expect(trust.nextExternalId).toBeNull();
    expect(trust.issuerPrincipalArn).toBe(ISSUER_PRINCIPAL_ARN);
    expect(trust.roles).toEqual([]);
    expect(JSON.stringify(trust.trustPolicy)).toContain(trust.externalId);
    victim.externalId = trust.externalId;

    // The tenant creates the role in its account with the trust policy credvend showed it.
    victim.roleArn = await registerRole(trust.trustPolicy, { arn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/credvend/${victim.tenantId}-data` });
    const binding = await bind(operatorKey, victim.tenantId, { roles: { data: { roleArn: victim.roleArn, maxSessionDuration: 3600 } } });
    expect(binding).toMatchObject({ tenantId: victim.tenantId, version: 2, externalId: victim.externalId, nextExternalId: null });
    expect((await trustOf(victim.adminKey, victim.tenantId)).roles).toEqual([
      { name: 'data', roleArn: victim.roleArn, maxSessionDuration: 3600 },
    ]);
    await putPolicy(victim.adminKey, victim.tenantId, roleOnlyPolicy('data', 'victim-data'));

    const res = await issue(victim.partnerKey);
    expect(res.status).toBe(201);
    expect(res.body.principal.arn).toMatch(new RegExp(`^arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/${victim.tenantId}-data/`));
    expect(await control.stsSession(res.body.credentials.accessKeyId)).toMatchObject({
      action: 'AssumeRole',
      roleArn: victim.roleArn,
      externalIdPresent: true,
    });
    victim.principalArn = res.body.principal.arn;
  });

  it("the attacker's admin naming the victim's role ARN and external ID in its policy: 422 owned_by_operator, nothing written, nothing issued", async () => {
    const { tenantId, adminKey, partnerId, partnerKey } = attacker;
    const base = roleOnlyPolicy('data', 'victim-data');
    const drafts = {
      // Today's shape with the operator's fields added.
      'role plus roleArn and externalId': {
        ...base,
        modes: { 'assume-role': { ...base.modes['assume-role'], roleArn: victim.roleArn, externalId: victim.externalId } },
      },
      // The pre-#14 shape, exactly as tenants used to write it.
      'the pre-#14 shape': {
        ...base,
        modes: {
          'assume-role': {
            roleArn: victim.roleArn,
            externalId: victim.externalId,
            roleMaxSessionDuration: 3600,
            defaultDurationSeconds: 900,
            maxDurationSeconds: 3600,
          },
        },
      },
    };
    await control.resetStsCalls();
    for (const [name, policy] of Object.entries(drafts)) {
      const res = await call('PUT', `/v1/tenants/${tenantId}/policy`, { key: adminKey, body: { expectedVersion: 0, policy } });
      expect([name, res.status, res.body.error?.code]).toEqual([name, 422, 'invalid_policy']);
      expect(res.body.error.details).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ path: "$.modes['assume-role'].roleArn", code: 'owned_by_operator' }),
          expect.objectContaining({ path: "$.modes['assume-role'].externalId", code: 'owned_by_operator' }),
        ]),
      );
      const preview = await call('POST', `/v1/tenants/${tenantId}/policy/preview`, { key: adminKey, body: { partnerId, policy } });
      expect(preview.status).toBe(200);
      expect(preview.body.ok).toBe(false);
      expect(preview.body.roleArn).toBeNull();
      expect(preview.body.problems).toEqual(
        expect.arrayContaining([expect.objectContaining({ path: "$.modes['assume-role'].roleArn", code: 'owned_by_operator' })]),
      );
    }
    const stored = await call('GET', `/v1/tenants/${tenantId}/policy`, { key: adminKey });
    expect([stored.status, stored.body.error?.code]).toEqual([404, 'policy_not_configured']);
    const refused = await issue(partnerKey);
    expect([refused.status, refused.body.error?.code]).toEqual([403, 'policy_not_configured']);
    expect(await assumeRoleCalls()).toEqual([]);
  });

  it("an operator binding the attacker to the victim's role by mistake: 502 sts_access_denied, no credentials, no record, an error line", async () => {
    const { tenantId, adminKey, partnerKey } = attacker;
    const attackerTrust = await trustOf(adminKey, tenantId);
    expect(attackerTrust.externalId).toMatch(EXTERNAL_ID);
    expect(attackerTrust.externalId).not.toBe(victim.externalId);

    // The mistake: the victim's role ARN in the attacker's binding. The attacker's policy is now valid.
    await bind(operatorKey, tenantId, { roles: { data: { roleArn: victim.roleArn, maxSessionDuration: 3600 } } });
    await putPolicy(adminKey, tenantId, roleOnlyPolicy('data', 'victim-data'));
    await pastCacheTtl(); // the attacker's partner was just answered "no policy"

    await control.resetStsCalls();
    const res = await issue(partnerKey);
    expect([res.status, res.body.error?.code]).toEqual([502, 'sts_access_denied']);
    expect(res.body.credentials).toBeUndefined();
    expect(res.text).not.toMatch(/ASIA|secretAccessKey|sessionToken/);
    // credvend did ask (with the attacker's external ID): the victim role's trust policy refused it.
    expect(await assumeRoleCalls()).toEqual([expect.objectContaining({ status: 403, code: 'AccessDenied' })]);
    expect(await ledgerOf(tenantId)).toEqual([]);
    expect(await errorLinesFor(res.body.error.requestId)).toEqual([
      expect.objectContaining({ level: 'ERROR', message: 'request failed', code: 'sts_access_denied' }),
    ]);

    // The victim is untouched.
    const own = await issue(victim.partnerKey);
    expect(own.status).toBe(201);
    expect(own.body.principal.arn).toMatch(new RegExp(`^arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/${victim.tenantId}-data/`));
  });

  it("the attacker's admin can neither read the victim's trust view nor touch any binding", async () => {
    const victimTrust = await call('GET', `/v1/tenants/${victim.tenantId}/trust`, { key: attacker.adminKey });
    expect([victimTrust.status, victimTrust.body.error?.code]).toEqual([404, 'not_found']);
    expect(victimTrust.text).not.toContain(victim.externalId);
    for (const tenantId of [attacker.tenantId, victim.tenantId]) {
      const put = await call('PUT', `/v1/tenants/${tenantId}/binding`, {
        key: attacker.adminKey,
        body: { expectedVersion: 2, roles: { data: { roleArn: victim.roleArn, maxSessionDuration: 3600 } } },
      });
      expect([tenantId, put.status, put.body.error?.code]).toEqual([tenantId, 403, 'wrong_key_kind']);
    }
    expect((await bindingOf(operatorKey, victim.tenantId)).version).toBe(2);
  });
});

describe('2. federation stays inside the binding’s resource boundary, and its sessions are tagged', () => {
  /** The demo binding's boundary: arn:aws:s3:::demo-bucket and arn:aws:s3:::demo-bucket/<tenantId>/*. */
  const federationPolicy = (statements: TenantPolicyDocument['statements']): TenantPolicyDocument => ({
    ...demoPolicy(),
    statements,
  });

  it('statements reaching outside the boundary: 422 at PUT and problems in preview; the same statements without federation are fine', async () => {
    const tenant = await createTestTenant();
    const victim = await createTestTenant();
    const outside = federationPolicy([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::demo-bucket/${victim.tenantId}/*` },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: ['arn:aws:s3:::demo-bucket/{{tenantId}}/*', 'arn:aws:s3:::victim-data/*'] },
      { Effect: 'Allow', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::demo-bucket/{{tenantId}}/*' },
    ]);
    const path = `/v1/tenants/${tenant.tenantId}/policy`;
    const put = await call('PUT', path, { key: tenant.adminKey, body: { expectedVersion: 1, policy: outside } });
    expect([put.status, put.body.error?.code]).toEqual([422, 'invalid_policy']);
    const expected = [
      expect.objectContaining({ path: '$.statements[0].Resource', code: 'outside_federation_boundary' }),
      expect.objectContaining({ path: '$.statements[1].Resource[1]', code: 'outside_federation_boundary' }),
      expect.objectContaining({ path: '$.statements[2].NotResource', code: 'outside_federation_boundary' }),
    ];
    expect(put.body.error.details).toEqual(expect.arrayContaining(expected));
    // Only what is outside: the tenant's own prefix in statement 1 is not flagged.
    expect(put.body.error.details.filter((d: { code: string }) => d.code === 'outside_federation_boundary')).toHaveLength(3);
    expect((await call('GET', path, { key: tenant.adminKey })).body.version).toBe(1);

    await control.resetStsCalls();
    const preview = await call('POST', `${path}/preview`, {
      key: tenant.adminKey,
      body: { partnerId: tenant.partnerId, mode: 'federation', policy: outside },
    });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ source: 'draft', ok: false });
    expect(preview.body.problems).toEqual(expect.arrayContaining(expected));
    expect(await control.stsCalls()).toEqual([]);

    // The boundary is federation's: an assume-role-only policy is limited by its role instead.
    const { federation: _federation, ...assumeRoleOnly } = outside.modes;
    const roleOnly = { ...outside, statements: outside.statements.slice(0, 2), modes: assumeRoleOnly };
    const accepted = await call('PUT', path, { key: tenant.adminKey, body: { expectedVersion: 1, policy: roleOnly } });
    expect([accepted.status, accepted.body.version]).toEqual([200, 2]);
  });

  it('a binding narrowed after the PUT: federation issuance is 403 policy_outside_binding before STS; assume-role still issues', async () => {
    const tenant = await onboardBoundTenant(operatorKey);
    expect((await issue(tenant.partnerKey, { mode: 'federation' })).status).toBe(201);
    await bind(operatorKey, tenant.tenantId, {
      roles: { [DEMO_ROLE]: { roleArn: tenant.roleArn, maxSessionDuration: 14_400 } },
      federation: { resourceBoundary: [`arn:aws:s3:::demo-bucket/${tenant.tenantId}/reports/*`] },
    });
    await pastCacheTtl();
    await control.resetStsCalls();
    const refused = await issue(tenant.partnerKey, { mode: 'federation' });
    expect([refused.status, refused.body.error?.code]).toEqual([403, 'policy_outside_binding']);
    expect(refused.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: '$.statements[0].Resource', code: 'outside_federation_boundary' })]),
    );
    expect(refused.text).not.toMatch(/ASIA|secretAccessKey|sessionToken/);
    expect(await control.stsCalls()).toEqual([]);
    expect((await issue(tenant.partnerKey)).status).toBe(201);
    const preview = await call('POST', `/v1/tenants/${tenant.tenantId}/policy/preview`, {
      key: tenant.adminKey,
      body: { partnerId: tenant.partnerId },
    });
    expect(preview.body.problems).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'outside_federation_boundary' })]));
  });

  it('federation sessions carry the tenant and partner session tags, as assume-role sessions do (transitive there)', async () => {
    const tenant = await createTestTenant();
    const federated = await issue(tenant.partnerKey, { mode: 'federation' });
    expect(federated.status).toBe(201);
    const session = await control.stsSession(federated.body.credentials.accessKeyId);
    expect(session?.action).toBe('GetFederationToken');
    expect(session?.tags).toEqual(
      expect.arrayContaining([
        { key: 'tenant', value: tenant.tenantId, transitive: false },
        { key: 'partner', value: tenant.partnerId, transitive: false },
      ]),
    );
    const assumed = await issue(tenant.partnerKey, { mode: 'assume-role' });
    const roleSession = await control.stsSession(assumed.body.credentials.accessKeyId);
    expect(roleSession?.tags).toEqual(
      expect.arrayContaining([
        { key: 'tenant', value: tenant.tenantId, transitive: true },
        { key: 'partner', value: tenant.partnerId, transitive: true },
      ]),
    );
  });
});

describe('3. principals: derived from tenant and partner, a request adds only a suffix', () => {
  it('partners with the same id in two tenants get different RoleSessionNames, SourceIdentities and federation Names', async () => {
    const partnerId = `app-${randomBytes(3).toString('hex')}`;
    const tenants = [await createTestTenant(undefined, { partnerId }), await createTestTenant(undefined, { partnerId })];
    const seen = [];
    for (const tenant of tenants) {
      const assumed = await issue(tenant.partnerKey, { sessionName: 'same' });
      expect(assumed.status).toBe(201);
      const session = await control.stsSession(assumed.body.credentials.accessKeyId);
      const federated = await issue(tenant.partnerKey, { mode: 'federation' });
      expect(federated.status).toBe(201);
      const named = await issue(tenant.partnerKey, { mode: 'federation', sessionName: 'same' });
      expect(named.status).toBe(201);
      seen.push({
        tenant,
        roleArn: assumed.body.principal.arn as string,
        roleSessionName: roleSessionNameOf(assumed.body.principal.arn),
        sourceIdentity: session?.sourceIdentity,
        federationName: federationNameOf(federated.body.principal.arn),
        namedFederation: federationNameOf(named.body.principal.arn),
      });
    }
    const [a, b] = seen as [(typeof seen)[0], (typeof seen)[0]];
    expect(a.roleArn).not.toBe(b.roleArn);
    expect(a.roleSessionName).not.toBe(b.roleSessionName);
    expect(a.federationName).not.toBe(b.federationName);
    expect(a.namedFederation).not.toBe(b.namedFederation);
    expect(a.sourceIdentity).not.toBe(b.sourceIdentity);
    for (const s of seen) {
      expect(s.sourceIdentity).toEqual(expect.stringContaining(s.tenant.tenantId));
      expect(s.sourceIdentity).toEqual(expect.stringContaining(partnerId));
      // The request's sessionName is a suffix of the partner's own fixed part, nothing more.
      expect(s.roleSessionName).toBe(`${s.sourceIdentity}.same`);
      expect(s.namedFederation).toBe(`${s.federationName}-same`);
    }
  });

  it("a sessionName equal to another partner's principal name still gets a name under the caller's own fixed prefix", async () => {
    // Short ids, so a session name with another one's inside still fits STS's 64 characters.
    const tenant = await createTestTenant(undefined, { tenantId: `s${randomBytes(2).toString('hex')}`, partnerId: 'pa1' });
    const other = await addTestPartner(tenant.tenantId, 'pa2');
    const victimIssue = await issue(tenant.partnerKey, { sessionName: 'nightly' });
    expect(victimIssue.status).toBe(201);
    const victimArn = victimIssue.body.principal.arn as string;
    const victimName = roleSessionNameOf(victimArn);
    const victimIdentity = (await control.stsSession(victimIssue.body.credentials.accessKeyId))?.sourceIdentity;
    expect(victimIdentity).toEqual(expect.any(String));

    const baseline = await issue(other.partnerKey);
    expect(baseline.status).toBe(201);
    const ownIdentity = (await control.stsSession(baseline.body.credentials.accessKeyId))?.sourceIdentity;
    expect(ownIdentity).toEqual(expect.any(String));
    expect(ownIdentity).not.toBe(victimIdentity);

    for (const sessionName of [victimName, victimIdentity!]) {
      const res = await issue(other.partnerKey, { sessionName });
      expect([sessionName, res.status]).toEqual([sessionName, 201]);
      expect(res.body.principal.arn).not.toBe(victimArn);
      expect(roleSessionNameOf(res.body.principal.arn)).toBe(`${ownIdentity}.${sessionName}`);
      expect((await control.stsSession(res.body.credentials.accessKeyId))?.sourceIdentity).toBe(ownIdentity);
    }

    // Federation: the victim's Name as a suffix cannot fit in 32 characters, so it is refused, never the victim's.
    const victimFederation = await issue(tenant.partnerKey, { mode: 'federation' });
    const victimFederationName = federationNameOf(victimFederation.body.principal.arn);
    const ownFederation = federationNameOf((await issue(other.partnerKey, { mode: 'federation' })).body.principal.arn);
    expect(ownFederation).not.toBe(victimFederationName);
    const hijack = await issue(other.partnerKey, { mode: 'federation', sessionName: victimFederationName });
    expect([hijack.status, hijack.body.error?.code]).toEqual([422, 'sts_limit_exceeded']);
    const suffixed = await issue(other.partnerKey, { mode: 'federation', sessionName: 'ab' });
    expect(federationNameOf(suffixed.body.principal.arn)).toBe(`${ownFederation}-ab`);
  });
});

describe('4. {{sessionName}}: nothing a caller types is rendered into a policy', () => {
  const withSessionName = (): TenantPolicyDocument => {
    const doc = demoPolicy();
    doc.statements[0]!.Resource = 'arn:aws:s3:::demo-bucket/{{tenantId}}/{{sessionName}}/*';
    return doc;
  };

  it('PUT refuses it: 422 unknown_placeholder, nothing written', async () => {
    const tenant = await createTestTenant();
    const path = `/v1/tenants/${tenant.tenantId}/policy`;
    const res = await call('PUT', path, { key: tenant.adminKey, body: { expectedVersion: 1, policy: withSessionName() } });
    expect([res.status, res.body.error?.code]).toEqual([422, 'invalid_policy']);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: '$.statements[0].Resource', code: 'unknown_placeholder' })]);
    expect((await call('GET', path, { key: tenant.adminKey })).body.version).toBe(1);
  });

  it('a policy stored before the upgrade is flagged by preview and refused at issuance (403 policy_needs_update), never rendered', async () => {
    const tenant = await createTestTenant();
    await writeStoredPolicy(tenant.tenantId, withSessionName(), 1);
    const typed = 'typed-by-caller';
    await control.resetStsCalls();

    const preview = await call('POST', `/v1/tenants/${tenant.tenantId}/policy/preview`, {
      key: tenant.adminKey,
      body: { partnerId: tenant.partnerId, sessionName: typed },
    });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ source: 'current', policyVersion: 2, ok: false });
    expect(preview.body.problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: '$.statements[0].Resource', code: 'unknown_placeholder' })]),
    );
    expect(JSON.stringify(preview.body.renderedPolicy)).not.toContain(typed);

    const bodies = [{ sessionName: typed }, { mode: 'federation', sessionName: 'ab' }, {}];
    const answers = await Promise.all(bodies.map((body) => issue(tenant.partnerKey, body)));
    expect(answers.map((res) => [res.status, res.body.error?.code])).toEqual(bodies.map(() => [403, 'policy_needs_update']));
    expect(answers.filter((res) => res.text.includes(typed))).toEqual([]);
    expect(await control.stsCalls()).toEqual([]);
    expect(await ledgerOf(tenant.tenantId)).toEqual([]);
  });
});

describe('binding routes', () => {
  it('admin and partner keys get 403 on every binding route, and change nothing', async () => {
    const tenant = await onboardBoundTenant(operatorKey);
    const t = `/v1/tenants/${tenant.tenantId}`;
    const before = await bindingOf(operatorKey, tenant.tenantId);
    const routes: [string, string, unknown?][] = [
      ['GET', `${t}/binding`],
      ['PUT', `${t}/binding`, { expectedVersion: before.version, roles: {} }],
      ['POST', `${t}/binding/external-id/rotate`, { expectedVersion: before.version }],
      ['POST', `${t}/binding/external-id/activate`, { expectedVersion: before.version }],
    ];
    for (const key of [tenant.adminKey, tenant.partnerKey]) {
      for (const [method, path, body] of routes) {
        const res = await call(method, path, { key, ...(body !== undefined && { body }) });
        expect([method, path, res.status, res.body.error?.code]).toEqual([method, path, 403, 'wrong_key_kind']);
      }
    }
    const partnerTrust = await call('GET', `${t}/trust`, { key: tenant.partnerKey });
    expect([partnerTrust.status, partnerTrust.body.error?.code]).toEqual([403, 'wrong_key_kind']);
    const after = await bindingOf(operatorKey, tenant.tenantId);
    expect(after).toEqual(before);
    expect(after).toMatchObject({
      externalId: tenant.externalId,
      nextExternalId: null,
      roles: { [DEMO_ROLE]: { roleArn: tenant.roleArn } },
    });
    expect((await issue(tenant.partnerKey)).status).toBe(201);
  });

  it('an operator PUT, rotate or activate (of a pending rotation) at a stale version is 409 version_conflict and changes nothing', async () => {
    const tenant = await onboardTenant(operatorKey);
    const t = `/v1/tenants/${tenant.tenantId}`;
    const roles = { main: { roleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/credvend/${tenant.tenantId}-main`, maxSessionDuration: 3600 } };
    const first = await call('PUT', `${t}/binding`, { key: operatorKey, body: { expectedVersion: 1, roles, maxDurationSeconds: 1800 } });
    expect([first.status, first.body.version]).toEqual([200, 2]);
    for (const res of [
      await call('PUT', `${t}/binding`, { key: operatorKey, body: { expectedVersion: 1, roles: {} } }),
      await call('POST', `${t}/binding/external-id/rotate`, { key: operatorKey, body: { expectedVersion: 1 } }),
    ]) {
      expect([res.status, res.body.error?.code]).toEqual([409, 'version_conflict']);
    }
    expect(await bindingOf(operatorKey, tenant.tenantId)).toEqual(first.body);

    const rotated = await call('POST', `${t}/binding/external-id/rotate`, { key: operatorKey, body: { expectedVersion: 2 } });
    expect([rotated.status, rotated.body.version]).toEqual([200, 3]);
    for (const res of [
      await call('POST', `${t}/binding/external-id/activate`, { key: operatorKey, body: { expectedVersion: 2 } }),
      await call('PUT', `${t}/binding`, { key: operatorKey, body: { expectedVersion: 2, roles: {} } }),
    ]) {
      expect([res.status, res.body.error?.code]).toEqual([409, 'version_conflict']);
    }
    expect(await bindingOf(operatorKey, tenant.tenantId)).toEqual(rotated.body);
  });

  it('activate with nothing rotated is 422 invalid_binding', async () => {
    const tenant = await onboardTenant(operatorKey);
    const res = await call('POST', `/v1/tenants/${tenant.tenantId}/binding/external-id/activate`, {
      key: operatorKey,
      body: { expectedVersion: 1 },
    });
    expect([res.status, res.body.error?.code]).toEqual([422, 'invalid_binding']);
    expect((await bindingOf(operatorKey, tenant.tenantId)).version).toBe(1);
  });

  it('rotation: rotate -> the trust view lists both IDs -> the role trusts both -> activate -> new-only works, old-only fails', async () => {
    const tenant = await onboardTenant(operatorKey);
    const t = `/v1/tenants/${tenant.tenantId}`;
    const before = await trustOf(tenant.adminKey, tenant.tenantId);
    const oldId = before.externalId;
    const roleArn = await registerRole(before.trustPolicy);
    const bound = await bind(operatorKey, tenant.tenantId, { roles: { main: { roleArn, maxSessionDuration: 3600 } } });
    await putPolicy(tenant.adminKey, tenant.tenantId, roleOnlyPolicy('main', 'rotation-data'));
    expect((await issue(tenant.partnerKey)).status).toBe(201);

    const rotated = await call('POST', `${t}/binding/external-id/rotate`, { key: operatorKey, body: { expectedVersion: bound.version } });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ version: bound.version + 1, externalId: oldId });
    const newId = rotated.body.nextExternalId as string;
    expect(newId).toMatch(EXTERNAL_ID);
    expect(newId).not.toBe(oldId);

    const during = await trustOf(tenant.adminKey, tenant.tenantId);
    expect(during).toMatchObject({ externalId: oldId, nextExternalId: newId });
    expect(JSON.stringify(during.trustPolicy)).toContain(oldId);
    expect(JSON.stringify(during.trustPolicy)).toContain(newId);
    await pastCacheTtl();
    expect((await issue(tenant.partnerKey)).status).toBe(201); // credvend still sends the old ID

    await registerRole(during.trustPolicy, { arn: roleArn });
    const activated = await call('POST', `${t}/binding/external-id/activate`, {
      key: operatorKey,
      body: { expectedVersion: bound.version + 1 },
    });
    expect(activated.status).toBe(200);
    expect(activated.body).toMatchObject({ version: bound.version + 2, externalId: newId, nextExternalId: null });
    await pastCacheTtl();
    expect((await issue(tenant.partnerKey)).status).toBe(201);

    const after = await trustOf(tenant.adminKey, tenant.tenantId);
    expect(after).toMatchObject({ externalId: newId, nextExternalId: null });
    expect(JSON.stringify(after.trustPolicy)).not.toContain(oldId);
    await registerRole(after.trustPolicy, { arn: roleArn });
    const newOnly = await issue(tenant.partnerKey);
    expect(newOnly.status).toBe(201);
    expect((await control.stsSession(newOnly.body.credentials.accessKeyId))?.roleArn).toBe(roleArn);

    await registerRole(before.trustPolicy, { arn: roleArn }); // a role still trusting only the old ID
    const oldOnly = await issue(tenant.partnerKey);
    expect([oldOnly.status, oldOnly.body.error?.code]).toEqual([502, 'sts_access_denied']);
  });
});
