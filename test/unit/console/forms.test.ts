// The console's form logic (browser code under console/src, no DOM): the workload identity form's
// text fields to the API's request and back.
import { describe, expect, it } from '@jest/globals';
import { ApiError } from '../../../console/src/errors';
import type { WorkloadIdentity } from '../../../console/src/types';
import { emptyForm, formOf, requestOf } from '../../../console/src/workload-identity-form';

const stored: WorkloadIdentity = {
  tenantId: 'acme',
  partnerId: 'ci',
  identityId: 'gh-deploy',
  version: 3,
  issuer: 'https://token.actions.githubusercontent.com',
  audiences: ['credvend:acme', 'credvend:acme:deploy'],
  subject: { pattern: 'repo:acme/app:*' },
  requiredClaims: { repository_owner: 'acme', ref: 'refs/heads/main' },
  claimTags: ['repository', 'sub'],
  createdAt: '2026-12-03T04:00:00.000Z',
  updatedAt: '2026-12-03T04:10:00.000Z',
  updatedBy: 'ak-aaaaaaaaaaaaaaaa',
};

describe('workload identity form', () => {
  it('starts with the tenant-scoped audience and an exact subject', () => {
    expect(emptyForm('acme')).toMatchObject({ audiences: 'credvend:acme', subjectKind: 'exact', subject: '', identityId: '' });
  });

  it('reads a stored identity back into the same request, at the version given', () => {
    const form = formOf(stored);
    expect(form).toMatchObject({ subjectKind: 'pattern', subject: 'repo:acme/app:*', audiences: 'credvend:acme\ncredvend:acme:deploy' });
    expect(requestOf(form, stored.version)).toEqual({
      expectedVersion: 3,
      issuer: stored.issuer,
      audiences: stored.audiences,
      subject: stored.subject,
      requiredClaims: stored.requiredClaims,
      claimTags: stored.claimTags,
    });
  });

  it('splits lists on lines and commas, trims, splits a claim at its first =, and keeps an exact subject', () => {
    const body = requestOf(
      {
        ...emptyForm('acme'),
        issuer: ' https://issuer.example.com ',
        audiences: 'credvend:acme, credvend:acme:x\n\n',
        subject: ' system:serviceaccount:ns:app ',
        requiredClaims: ' job = build=1 \n\n ns=prod',
        claimTags: 'a,b\nc',
      },
      0,
    );
    expect(body).toEqual({
      expectedVersion: 0,
      issuer: 'https://issuer.example.com',
      audiences: ['credvend:acme', 'credvend:acme:x'],
      subject: { exact: 'system:serviceaccount:ns:app' },
      requiredClaims: { job: 'build=1', ns: 'prod' },
      claimTags: ['a', 'b', 'c'],
    });
  });

  it('refuses a claim line without a name or =, and a claim given twice, one detail each', () => {
    let error: unknown;
    try {
      requestOf({ ...emptyForm('acme'), requiredClaims: 'ok=1\nnovalue\n=x\nok=2' }, 0);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ApiError);
    const e = error as ApiError;
    expect(e.code).toBe('invalid_form');
    expect(e.details.map((d) => [d.path, d.code])).toEqual([
      ['requiredClaims line 2', 'expected_claim_equals_value'],
      ['requiredClaims line 3', 'expected_claim_equals_value'],
      ['requiredClaims line 4', 'duplicate_claim'],
    ]);
  });
});
