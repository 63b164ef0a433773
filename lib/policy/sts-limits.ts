// STS's documented limits (DESIGN.md), checked before STS is called so a caller gets a 422
// naming the limit instead of an opaque upstream refusal. The local STS enforces the same table.
import { type ErrorDetail, UnprocessableError } from '../core/errors';
import { EXTERNAL_ID_PATTERN, POLICY_CHARS, TAG_KEY_PATTERN, TAG_VALUE_PATTERN } from './iam-syntax';

const NAME_CHARS = /^[\w+=,.@-]+$/;

export const STS_LIMITS = {
  federationDuration: { min: 900, max: 129_600 },
  assumeRoleDuration: { min: 900, max: 43_200 },
  federationName: { min: 2, max: 32 },
  roleSessionName: { min: 2, max: 64 },
  externalId: { min: 2, max: 1224 },
  sourceIdentity: { min: 2, max: 64 },
  policyPlaintext: 2048,
  policyArns: 10,
  tags: 50,
  tagKey: { min: 1, max: 128 },
  tagValue: { min: 0, max: 256 },
} as const;

export interface FederationRequest {
  name: string;
  durationSeconds: number;
  policy: string;
  policyArns: string[];
  /** Session tags (not transitive: federated users cannot chain). */
  tags: Record<string, string>;
}

export interface AssumeRoleRequest {
  roleArn: string;
  roleSessionName: string;
  durationSeconds: number;
  roleMaxSessionDuration: number;
  policy: string;
  policyArns: string[];
  externalId?: string;
  sourceIdentity?: string;
  tags: Record<string, string>;
  transitiveTagKeys: string[];
}

type Violation = ErrorDetail & { limit: string };

function lengthWithin(value: string, range: { min: number; max: number }): boolean {
  return value.length >= range.min && value.length <= range.max;
}

function checkName(limit: string, value: string, range: { min: number; max: number }, out: Violation[]) {
  if (!lengthWithin(value, range)) {
    out.push({ limit, message: `${limit} must be ${range.min}-${range.max} characters (got ${value.length})` });
  } else if (!NAME_CHARS.test(value)) {
    out.push({ limit, message: `${limit} may contain only letters, digits and +=,.@_-` });
  }
}

function checkPolicy(policy: string, policyArns: string[], out: Violation[]) {
  const plaintext = policy.length + policyArns.reduce((sum, arn) => sum + arn.length, 0);
  if (plaintext > STS_LIMITS.policyPlaintext) {
    out.push({
      limit: 'Policy',
      message: `The session policy and managed policy ARNs must total at most ${STS_LIMITS.policyPlaintext} characters (got ${plaintext})`,
      size: plaintext,
    });
  }
  if (!POLICY_CHARS.test(policy)) {
    out.push({ limit: 'Policy', message: 'The session policy may contain only tab, newline, return and characters \\x20-\\xFF' });
  }
  if (policyArns.length > STS_LIMITS.policyArns) {
    out.push({ limit: 'PolicyArns', message: `At most ${STS_LIMITS.policyArns} managed policy ARNs (got ${policyArns.length})` });
  }
}

/**
 * Count, lengths (UTF-16 code units, as STS counts them) and STS's tag charset, so a rendered value (a `,`, a quote) never gets STS's
 * own error: each violation names the tag (`tag`, its first 32 characters) and what is wrong with it (`code`).
 */
function checkTags(tags: Record<string, string>, out: Violation[]) {
  const entries = Object.entries(tags);
  if (entries.length > STS_LIMITS.tags)
    out.push({ limit: 'Tags', code: 'too_many_tags', message: `At most ${STS_LIMITS.tags} session tags (got ${entries.length})` });
  for (const [key, value] of entries) {
    const tag = key.slice(0, 32);
    const name = JSON.stringify(tag);
    const keyLength = key.length;
    if (keyLength < STS_LIMITS.tagKey.min || keyLength > STS_LIMITS.tagKey.max || !TAG_KEY_PATTERN.test(key)) {
      out.push({
        limit: 'Tags',
        code: 'invalid_tag_key',
        tag,
        message: `Tag key ${name} must be 1-128 letters, digits, spaces and _.:/=+-@`,
      });
    }
    if (value.length > STS_LIMITS.tagValue.max || !TAG_VALUE_PATTERN.test(value)) {
      out.push({
        limit: 'Tags',
        code: 'invalid_tag_value',
        tag,
        message: `The value of tag ${name} must be at most 256 letters, digits, spaces and _.:/=+-@`,
      });
    }
  }
}

function checkDuration(limit: string, value: number, range: { min: number; max: number }, out: Violation[]) {
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    out.push({ limit, message: `${limit} must be between ${range.min} and ${range.max} seconds (got ${value})` });
  }
}

function fail(violations: Violation[]): void {
  if (violations.length) {
    throw new UnprocessableError('sts_limit_exceeded', `The request breaks an STS limit: ${violations.map((v) => v.limit).join(', ')}`, {
      details: violations,
    });
  }
}

export function assertFederationWithinLimits(req: FederationRequest): void {
  const out: Violation[] = [];
  checkName('GetFederationToken Name', req.name, STS_LIMITS.federationName, out);
  checkDuration('GetFederationToken DurationSeconds', req.durationSeconds, STS_LIMITS.federationDuration, out);
  checkPolicy(req.policy, req.policyArns, out);
  checkTags(req.tags, out);
  fail(out);
}

export function assertAssumeRoleWithinLimits(req: AssumeRoleRequest): void {
  const out: Violation[] = [];
  checkName('RoleSessionName', req.roleSessionName, STS_LIMITS.roleSessionName, out);
  checkDuration('AssumeRole DurationSeconds', req.durationSeconds, STS_LIMITS.assumeRoleDuration, out);
  if (req.durationSeconds > req.roleMaxSessionDuration) {
    out.push({
      limit: 'MaxSessionDuration',
      message: `DurationSeconds ${req.durationSeconds} exceeds the role's MaxSessionDuration of ${req.roleMaxSessionDuration}`,
    });
  }
  if (req.externalId !== undefined) {
    if (!lengthWithin(req.externalId, STS_LIMITS.externalId) || !EXTERNAL_ID_PATTERN.test(req.externalId)) {
      out.push({ limit: 'ExternalId', message: 'ExternalId must be 2-1224 characters of letters, digits and +=,.@:/_-' });
    }
  }
  if (req.sourceIdentity !== undefined) {
    checkName('SourceIdentity', req.sourceIdentity, STS_LIMITS.sourceIdentity, out);
    if (/^aws:/i.test(req.sourceIdentity)) out.push({ limit: 'SourceIdentity', message: 'SourceIdentity must not start with "aws:"' });
  }
  checkPolicy(req.policy, req.policyArns, out);
  if (req.transitiveTagKeys.length > STS_LIMITS.tags) {
    out.push({ limit: 'TransitiveTagKeys', message: `At most ${STS_LIMITS.tags} transitive tag keys` });
  }
  checkTags(req.tags, out);
  fail(out);
}
