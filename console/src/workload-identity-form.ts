// The workload identity form's text fields to and from the API's shape (PUT …/workload-identities/{id}):
// audiences and claim tags one per line (or comma-separated), required claims one `claim=value` a line.
// Plain logic, no DOM: unit-tested in test/unit/console.
import { ApiError, type ProblemDetail } from './errors';
import type { WorkloadIdentity } from './types';

export interface IdentityForm {
  identityId: string;
  issuer: string;
  audiences: string;
  subjectKind: 'exact' | 'pattern';
  subject: string;
  requiredClaims: string;
  claimTags: string;
}

export interface IdentityRequest {
  expectedVersion: number;
  issuer: string;
  audiences: string[];
  subject: { exact: string } | { pattern: string };
  requiredClaims: Record<string, string>;
  claimTags: string[];
}

/** A new identity's form: the tenant's own audience filled in (every audience must name the tenant). */
export const emptyForm = (tenantId: string): IdentityForm => ({
  identityId: '',
  issuer: '',
  audiences: `credvend:${tenantId}`,
  subjectKind: 'exact',
  subject: '',
  requiredClaims: '',
  claimTags: '',
});

export function formOf(wi: WorkloadIdentity): IdentityForm {
  const pattern = 'pattern' in wi.subject;
  return {
    identityId: wi.identityId,
    issuer: wi.issuer,
    audiences: wi.audiences.join('\n'),
    subjectKind: pattern ? 'pattern' : 'exact',
    subject: 'pattern' in wi.subject ? wi.subject.pattern : wi.subject.exact,
    requiredClaims: Object.entries(wi.requiredClaims)
      .map(([name, value]) => `${name}=${value}`)
      .join('\n'),
    claimTags: wi.claimTags.join('\n'),
  };
}

const items = (text: string) =>
  text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');

/**
 * The request body for `expectedVersion` (0 creates). What the form cannot express (a claim line
 * without `=`, a claim given twice) is refused here as `invalid_form`, with a detail per line; the
 * rest (issuer, audience scope, pattern breadth…) is the API's to judge, and its 422 lists it.
 */
export function requestOf(form: IdentityForm, expectedVersion: number): IdentityRequest {
  const problems: ProblemDetail[] = [];
  const requiredClaims: Record<string, string> = {};
  form.requiredClaims.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const eq = line.indexOf('=');
    const name = eq > 0 ? line.slice(0, eq).trim() : '';
    if (!name) {
      problems.push({ path: `requiredClaims line ${i + 1}`, code: 'expected_claim_equals_value', message: `"${line}": write claim=value` });
      return;
    }
    if (Object.hasOwn(requiredClaims, name)) {
      problems.push({ path: `requiredClaims line ${i + 1}`, code: 'duplicate_claim', message: `${name} is given twice` });
      return;
    }
    requiredClaims[name] = line.slice(eq + 1).trim();
  });
  if (problems.length > 0) throw new ApiError(0, 'invalid_form', `The form has ${problems.length} problem(s)`, undefined, problems);
  const subject = form.subject.trim();
  return {
    expectedVersion,
    issuer: form.issuer.trim(),
    audiences: items(form.audiences),
    subject: form.subjectKind === 'pattern' ? { pattern: subject } : { exact: subject },
    requiredClaims,
    claimTags: items(form.claimTags),
  };
}
