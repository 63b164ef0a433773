// STS parameter limits, with the error codes and wording AWS answers. Pure functions: each returns
// the error STS would send, or undefined. The numbers mirror the "STS limits" table of DESIGN.md.
import { type AwsError, awsError, validationError } from './errors';
import type { AssumeRoleRequest, FederationTokenRequest, SessionInputs, SessionTokenRequest, Tag } from './params';

export const LIMITS = {
  federationName: { min: 2, max: 32 },
  federationDuration: { min: 900, max: 129_600, default: 43_200 },
  sessionTokenDuration: { min: 900, max: 129_600, default: 43_200 },
  assumeRoleDuration: { min: 900, max: 43_200, default: 3_600 },
  /** Role chaining (assume-role credentials calling AssumeRole) is capped at one hour. */
  roleChainingMaxDuration: 3_600,
  roleSessionName: { min: 2, max: 64 },
  externalId: { min: 2, max: 1224 },
  sourceIdentity: { min: 2, max: 64 },
  arn: { min: 20, max: 2048 },
  policyPlaintext: 2048,
  policyArns: 10,
  tags: 50,
  transitiveTagKeys: 50,
  tagKey: { min: 1, max: 128 },
  tagValue: { min: 0, max: 256 },
  /** Bytes of packed session policy + tags that make 100% (see packedPolicySize). */
  packedBytes: 2048,
} as const;

export const NAME_PATTERN = /^[\w+=,.@-]+$/;
export const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]+$/;
export const POLICY_CHARS = /^[\t\n\r\x20-\xFF]+$/;
const TAG_KEY_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u;
const TAG_VALUE_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
export const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]+$/;
export const POLICY_ARN_PATTERN = /^arn:aws[a-z-]*:iam::(?:\d{12}|aws):policy\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]+$/;

/** Collects constraint violations and renders them the way STS does ("N validation errors detected: ..."). */
class Problems {
  private readonly list: string[] = [];
  /** `value` is echoed like AWS does; undefined keeps it out (policies, external ids, tag values). */
  add(field: string, value: string | undefined, constraint: string): void {
    const shown = value === undefined ? '' : ` '${value}'`;
    this.list.push(`Value${shown} at '${field}' failed to satisfy constraint: Member ${constraint}`);
  }
  null(field: string): void {
    this.list.push(`Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  }
  raw(message: string): void {
    this.list.push(message);
  }
  error(): AwsError | undefined {
    if (this.list.length === 0) return undefined;
    const n = this.list.length;
    return validationError(`${n} validation error${n === 1 ? '' : 's'} detected: ${this.list.join('; ')}`);
  }
}

function checkString(
  p: Problems,
  field: string,
  value: string | undefined,
  rule: { min: number; max: number; pattern?: RegExp; echo?: boolean; required?: boolean },
): void {
  if (value === undefined) {
    if (rule.required) p.null(field);
    return;
  }
  const shown = rule.echo === false ? undefined : value;
  if (value.length < rule.min) p.add(field, shown, `must have length greater than or equal to ${rule.min}`);
  if (value.length > rule.max) p.add(field, shown, `must have length less than or equal to ${rule.max}`);
  if (rule.pattern && value.length > 0 && !rule.pattern.test(value)) {
    p.add(field, shown, `must satisfy regular expression pattern: ${rule.pattern.source.replace(/^\^|\$$/g, '').replace(/\+$/, '*')}`);
  }
}

function checkDuration(p: Problems, value: string | undefined, range: { min: number; max: number }): void {
  if (value === undefined) return;
  if (!/^\d+$/.test(value)) {
    p.add('durationSeconds', value, 'must be an integer');
    return;
  }
  const n = Number(value);
  if (n < range.min) p.add('durationSeconds', value, `must have value greater than or equal to ${range.min}`);
  if (n > range.max) p.add('durationSeconds', value, `must have value less than or equal to ${range.max}`);
}

function checkTags(p: Problems, tags: Tag[]): void {
  if (tags.length > LIMITS.tags) p.add('tags', undefined, `must have length less than or equal to ${LIMITS.tags}`);
  tags.forEach((tag, i) => {
    const at = `tags.${i + 1}.member`;
    if (tag.key === undefined) p.null(`${at}.key`);
    else checkString(p, `${at}.key`, tag.key, { ...LIMITS.tagKey, pattern: TAG_KEY_PATTERN });
    if (tag.value === undefined) p.null(`${at}.value`);
    else checkString(p, `${at}.value`, tag.value, { ...LIMITS.tagValue, pattern: TAG_VALUE_PATTERN, echo: false });
  });
}

/** Policy, managed policy ARNs, session tags: the parts GetFederationToken and AssumeRole share. */
function checkSessionInputs(p: Problems, input: SessionInputs, withTransitive: boolean): AwsError | undefined {
  if (input.policy !== undefined) {
    checkString(p, 'policy', input.policy, { min: 1, max: LIMITS.policyPlaintext, echo: false });
    if (input.policy.length > 0 && !POLICY_CHARS.test(input.policy)) {
      p.add('policy', undefined, 'must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+');
    }
  }
  if (input.policyArns.length > LIMITS.policyArns)
    p.add('policyArns', undefined, `must have length less than or equal to ${LIMITS.policyArns}`);
  input.policyArns.forEach((arn, i) => {
    checkString(p, `policyArns.${i + 1}.member.arn`, arn, { ...LIMITS.arn });
    if (!POLICY_ARN_PATTERN.test(arn)) p.raw(`Invalid policy ARN at 'policyArns.${i + 1}.member.arn': '${arn}'`);
  });
  const plaintext = (input.policy?.length ?? 0) + input.policyArns.reduce((sum, arn) => sum + arn.length, 0);
  if (input.policy !== undefined && input.policyArns.length > 0 && plaintext > LIMITS.policyPlaintext) {
    p.raw(`The combined plaintext of the session policy and managed policy ARNs must not exceed ${LIMITS.policyPlaintext} characters`);
  }
  checkTags(p, input.tags);
  if (withTransitive) {
    if (input.transitiveTagKeys.length > LIMITS.transitiveTagKeys) {
      p.add('transitiveTagKeys', undefined, `must have length less than or equal to ${LIMITS.transitiveTagKeys}`);
    }
    input.transitiveTagKeys.forEach((key, i) => {
      checkString(p, `transitiveTagKeys.${i + 1}.member`, key, { ...LIMITS.tagKey, pattern: TAG_KEY_PATTERN });
    });
  }
  const problems = p.error();
  if (problems) return problems;
  return duplicateTagKeys(input.tags);
}

function duplicateTagKeys(tags: Tag[]): AwsError | undefined {
  const seen = new Set<string>();
  for (const tag of tags) {
    const key = (tag.key ?? '').toLowerCase();
    if (seen.has(key)) return validationError('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(key);
  }
  return undefined;
}

export function validateFederationToken(req: FederationTokenRequest): AwsError | undefined {
  const p = new Problems();
  checkString(p, 'name', req.name, { ...LIMITS.federationName, pattern: NAME_PATTERN, required: true });
  checkDuration(p, req.durationSeconds, LIMITS.federationDuration);
  return checkSessionInputs(p, req, false);
}

export function validateSessionToken(req: SessionTokenRequest): AwsError | undefined {
  const p = new Problems();
  checkDuration(p, req.durationSeconds, LIMITS.sessionTokenDuration);
  return p.error();
}

/** Syntax of an AssumeRole request; the role-dependent checks are in checkRoleDuration. */
export function validateAssumeRole(req: AssumeRoleRequest): AwsError | undefined {
  const p = new Problems();
  checkString(p, 'roleArn', req.roleArn, { ...LIMITS.arn, required: true });
  checkString(p, 'roleSessionName', req.roleSessionName, { ...LIMITS.roleSessionName, pattern: NAME_PATTERN, required: true });
  checkDuration(p, req.durationSeconds, LIMITS.assumeRoleDuration);
  checkString(p, 'externalId', req.externalId, { ...LIMITS.externalId, pattern: EXTERNAL_ID_PATTERN, echo: false });
  // The reserved prefix gets its own message (the pattern would reject the ':' anyway).
  if (req.sourceIdentity?.toLowerCase().startsWith('aws:')) p.raw("SourceIdentity must not begin with the reserved prefix 'aws:'");
  else checkString(p, 'sourceIdentity', req.sourceIdentity, { ...LIMITS.sourceIdentity, pattern: NAME_PATTERN });
  const error = checkSessionInputs(p, req, true);
  if (error) return error;
  if (req.roleArn !== undefined && !ROLE_ARN_PATTERN.test(req.roleArn)) return validationError('Request ARN is invalid');
  return undefined;
}

/** Duration against the role: its MaxSessionDuration, and the one-hour cap of role chaining. */
export function checkRoleDuration(durationSeconds: number, maxSessionDuration: number, roleChaining: boolean): AwsError | undefined {
  if (durationSeconds > maxSessionDuration) {
    return validationError('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }
  if (roleChaining && durationSeconds > LIMITS.roleChainingMaxDuration) {
    return validationError('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }
  return undefined;
}

/** IAM policy grammar shared by session policies and trust policies (trust.ts). */
export const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
export const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);

/** Policy grammar checks STS does before anything else with a session policy: MalformedPolicyDocument. */
export function checkPolicyDocument(policy: string): AwsError | undefined {
  const malformed = (message: string): AwsError => awsError(400, 'MalformedPolicyDocument', message);
  let doc: unknown;
  try {
    doc = JSON.parse(policy);
  } catch {
    return malformed('The policy is not in the valid JSON format.');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return malformed('The policy is not in the valid JSON format.');
  const { Version, Statement, ...rest } = doc as Record<string, unknown>;
  if (Object.keys(rest).some((k) => k !== 'Id')) return malformed('Syntax errors in policy.');
  if (typeof Version !== 'string' || !VERSIONS.has(Version)) return malformed('The policy must contain a valid version string');
  const statements = Array.isArray(Statement) ? Statement : [Statement];
  if (Statement === undefined || statements.length === 0) return malformed('Syntax errors in policy.');
  for (const s of statements) {
    if (typeof s !== 'object' || s === null || Array.isArray(s)) return malformed('Syntax errors in policy.');
    const st = s as Record<string, unknown>;
    if (Object.keys(st).some((k) => !STATEMENT_KEYS.has(k))) return malformed('Syntax errors in policy.');
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny') return malformed('Syntax errors in policy.');
    if ('Principal' in st || 'NotPrincipal' in st) return malformed('Policy document should not specify a principal.');
    if (!('Action' in st) && !('NotAction' in st)) return malformed('Policy statement must contain actions.');
  }
  return undefined;
}

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

function minified(policy: string): string {
  try {
    return JSON.stringify(JSON.parse(policy));
  } catch {
    return policy;
  }
}

/**
 * The emulator's stand-in for AWS's packed (compressed binary) size of session policies and tags,
 * as a percentage of what STS accepts. Deterministic and independent of zlib versions:
 *
 *   packedBytes = ceil(bytes(minified policy JSON) / 2)      // policies pack to about half
 *               + Σ ceil(bytes(policy ARN) / 2)
 *               + Σ (bytes(tag key) + bytes(tag value))      // session tags are not compressed
 *               + Σ bytes(transitive tag key)
 *   PackedPolicySize = ceil(100 * packedBytes / 2048)
 *
 * A 2048-char policy alone stays at or near 50%, so session tags are what overflow it: six tags
 * with 128-char keys and 256-char values (2304 bytes) give 113% -> PackedPolicyTooLarge.
 */
export function packedPolicySize(input: SessionInputs): number {
  let packed = 0;
  if (input.policy !== undefined) packed += Math.ceil(bytes(minified(input.policy)) / 2);
  for (const arn of input.policyArns) packed += Math.ceil(bytes(arn) / 2);
  for (const tag of input.tags) packed += bytes(tag.key ?? '') + bytes(tag.value ?? '');
  for (const key of input.transitiveTagKeys) packed += bytes(key);
  return Math.ceil((100 * packed) / LIMITS.packedBytes);
}

/** STS's wire code is exactly `PackedPolicyTooLarge` (no Exception suffix). */
export function checkPackedSize(percent: number): AwsError | undefined {
  if (percent <= 100) return undefined;
  return awsError(
    400,
    'PackedPolicyTooLarge',
    `Packed policy consumes ${percent}% of allotted space, please use smaller policy or fewer session tags.`,
  );
}
