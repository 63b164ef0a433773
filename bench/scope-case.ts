// The hostile scope of issue 15: 20 actions and 20 resources of ~760 characters full of `*`/`?`,
// against a tenant policy of 19 ordinary ARNs. Shared by the bench and the tests (no timing there).
import type { IamStatement } from '../lib/core/model';
import type { Scope } from '../lib/policy/session';

const TENANT = 'acme';
const PARTNER = 'partner-one';

/** 19 ordinary ARN patterns (any region and account), one Allow statement, rendered for acme/partner-one. */
export const ORDINARY_STATEMENTS: IamStatement[] = [
  {
    Effect: 'Allow',
    Action: ['dynamodb:*', 's3:*'],
    Resource: Array.from({ length: 19 }, (_, i) => `arn:aws:dynamodb:*:*:table/${TENANT}-${PARTNER}-t${i}`),
  },
];

/** Each resource opens like the patterns and repeats their segments, so every comparison stays alive to the last character. */
export function hostileScope(length = 740): Scope {
  const unit = `x:y:table/${TENANT}-${PARTNER}-?*`;
  const resources = Array.from({ length: 20 }, (_, i) =>
    `arn:aws:dynamodb:${i}${unit.repeat(Math.ceil(length / unit.length))}`.slice(0, length),
  );
  const actions = Array.from({ length: 20 }, (_, i) => `dynamodb:G${'*?'.repeat(10)}${String.fromCharCode(97 + i)}`);
  return { actions, resources };
}

/** What a partner ordinarily asks for: a few actions and resources without wildcards, or with a trailing one. */
export function ordinaryScope(): Scope {
  return {
    actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 's3:GetObject'],
    resources: Array.from({ length: 19 }, (_, i) => `arn:aws:dynamodb:eu-west-1:123456789012:table/${TENANT}-${PARTNER}-t${i}`),
  };
}

/**
 * A tenant pattern that is expensive by construction: a middle segment of `?`s and letters is tried at
 * every position of the request. No partner can make ordinary patterns cost this; the cap stops it.
 */
export const WILDCARD_HEAVY_STATEMENTS: IamStatement[] = [
  {
    Effect: 'Allow',
    Action: 's3:GetObject',
    Resource: Array.from({ length: 19 }, (_, i) => `arn:aws:s3:::acme-data/*${'?a'.repeat(10)}${i}*/end`),
  },
];

/** Ordinary-looking keys under the bucket of WILDCARD_HEAVY_STATEMENTS: no wildcard at all. */
export function longKeysScope(length = 1000): Scope {
  return {
    actions: ['s3:GetObject'],
    resources: Array.from({ length: 20 }, (_, i) => `${`arn:aws:s3:::acme-data/${i}${'xa'.repeat(length)}`.slice(0, length - 4)}/end`),
  };
}
