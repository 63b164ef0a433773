// The IAM and STS grammar a tenant policy document has to follow, as plain predicates, so the
// write-time validator can refuse what IAM or STS would refuse later at issuance time.
import { PLACEHOLDER_PATTERN } from './render';

/** The characters STS accepts in a session policy (DESIGN.md "STS limits"). */
export const POLICY_CHARS = /^[\t\n\r\x20-\xFF]*$/;
export const SID_PATTERN = /^[A-Za-z0-9]*$/;
export const ACTION_PATTERN = /^(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$/;
export const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]+$/;
/** Session tag keys and values (STS `Tag`); lengths are checked apart, in code points. */
export const TAG_KEY_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u;
export const TAG_VALUE_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

const PARTITION = '(?:aws|aws-cn|aws-us-gov)';
const NAME_SEGMENT = '[\\w+=,.@-]';
/** arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE; region and account may be empty or wildcarded. */
const RESOURCE_ARN = new RegExp(`^arn:${PARTITION}:[a-z0-9-]+:[a-z0-9*?-]*:(?:aws|[0-9*?]*):.+$`);
export const ROLE_ARN_PATTERN = new RegExp(`^arn:${PARTITION}:iam::\\d{12}:role/(?:${NAME_SEGMENT}+/)*${NAME_SEGMENT}{1,64}$`);
export const MANAGED_POLICY_ARN_PATTERN = new RegExp(
  `^arn:${PARTITION}:iam::(?:\\d{12}|aws):policy/(?:${NAME_SEGMENT}+/)*${NAME_SEGMENT}{1,128}$`,
);

/** IAM's own policy variables, `${aws:username}` and the like, which IAM expands at evaluation time. */
const IAM_VARIABLE = /\$\{[^}]*\}/g;

/** IAM's MaxSessionDuration range for a role. */
export const ROLE_MAX_SESSION_DURATION = { min: 3600, max: 43_200 } as const;

const CONDITION_OPERATORS = new Set([
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
  'Null',
]);
const OPERATOR_PARTS = /^(?:ForAnyValue:|ForAllValues:)?(.+?)(IfExists)?$/;

export function isActionPattern(value: string): boolean {
  return ACTION_PATTERN.test(value);
}

/**
 * `*` or an ARN pattern. Template placeholders and IAM variables stand in for values that only exist at
 * issuance or evaluation time (and may contain `:`), so each is read as a wildcard segment.
 */
export function isResourcePattern(value: string): boolean {
  if (value === '*') return true;
  return RESOURCE_ARN.test(value.replace(PLACEHOLDER_PATTERN, '*').replace(IAM_VARIABLE, '*'));
}

/** A base operator, optionally `ForAnyValue:`/`ForAllValues:` prefixed and `IfExists` suffixed (not `Null`). */
export function isConditionOperator(name: string): boolean {
  const match = OPERATOR_PARTS.exec(name);
  if (!match) return false;
  const [, base = '', ifExists] = match;
  return CONDITION_OPERATORS.has(base) && !(ifExists && base === 'Null');
}
