import { describe, expect, it } from '@jest/globals';
import { ForbiddenError } from '../../../lib/core/errors';
import type { IamStatement } from '../../../lib/core/model';
import { assertScopeCovered, buildSessionPolicy, type Scope } from '../../../lib/policy/session';

const BUCKET_A = 'arn:aws:s3:::a';
const BUCKET_B = 'arn:aws:s3:::b';

const statements: IamStatement[] = [
  { Effect: 'Allow', Action: 's3:GetObject', Resource: `${BUCKET_A}/*` },
  { Effect: 'Allow', Action: ['s3:PutObject', 's3:Get*'], Resource: [`${BUCKET_B}/in/*`, `${BUCKET_B}/shared`] },
  { Effect: 'Allow', Action: 'dynamodb:Query', Resource: 'arn:aws:dynamodb:eu-west-1:123456789012:table/t' },
  { Effect: 'Deny', Action: '*', Resource: '*' },
  { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
  { Effect: 'Allow', Action: 'sqs:SendMessage', NotResource: 'arn:aws:sqs:*:*:secret' },
];

function refusal(scope: Scope, within: readonly IamStatement[] = statements): ForbiddenError {
  try {
    assertScopeCovered(within, scope);
  } catch (err) {
    expect(err).toBeInstanceOf(ForbiddenError);
    return err as ForbiddenError;
  }
  throw new Error('expected a 403');
}

describe('assertScopeCovered', () => {
  it.each<[string, Scope]>([
    ['empty scope', {}],
    ['empty lists', { actions: [], resources: [] }],
    ['covered actions', { actions: ['s3:GetObject', 's3:PutObject', 'dynamodb:Query'] }],
    ['actions compare case-insensitively', { actions: ['S3:GETOBJECT', 'DynamoDB:query'] }],
    ['a wildcard action inside an allowed wildcard', { actions: ['s3:GetObject*', 's3:Get*'] }],
    ['covered resources', { resources: [`${BUCKET_A}/x/y`, `${BUCKET_B}/in/*`, `${BUCKET_B}/shared`] }],
    ['pairs each covered by one statement', { actions: ['s3:GetObject'], resources: [`${BUCKET_A}/k`, `${BUCKET_B}/in/k`] }],
    ['pairs inside a wildcard statement', { actions: ['s3:GetBucketTagging', 's3:PutObject'], resources: [`${BUCKET_B}/in/x*`] }],
  ])('allows %s', (_, scope) => {
    expect(() => assertScopeCovered(statements, scope)).not.toThrow();
  });

  it('403 scope_not_allowed naming each uncovered action, with its path', () => {
    const err = refusal({ actions: ['s3:GetObject', 's3:DeleteObject', 'iam:PassRole'] });
    expect(err).toMatchObject({
      statusCode: 403,
      code: 'scope_not_allowed',
      message: 'The requested scope is not covered by the tenant policy',
    });
    expect(err.details).toEqual([
      {
        path: '$.scope.actions[1]',
        action: 's3:DeleteObject',
        message: 's3:DeleteObject on any resource is not allowed by the tenant policy',
      },
      { path: '$.scope.actions[2]', action: 'iam:PassRole', message: 'iam:PassRole on any resource is not allowed by the tenant policy' },
    ]);
  });

  it('403 naming each uncovered resource, compared case-sensitively', () => {
    const err = refusal({ resources: [`${BUCKET_A}/ok`, 'arn:aws:s3:::A/x', `${BUCKET_B}/out/x`] });
    expect(err.details).toEqual([
      {
        path: '$.scope.resources[1]',
        resource: 'arn:aws:s3:::A/x',
        message: 'any action on arn:aws:s3:::A/x is not allowed by the tenant policy',
      },
      {
        path: '$.scope.resources[2]',
        resource: `${BUCKET_B}/out/x`,
        message: `any action on ${BUCKET_B}/out/x is not allowed by the tenant policy`,
      },
    ]);
  });

  it('requires one statement to allow each (action, resource) pair', () => {
    // GetObject is allowed on a/*, PutObject on b/in/*: PutObject on a/* is allowed by neither.
    const err = refusal({ actions: ['s3:GetObject', 's3:PutObject'], resources: [`${BUCKET_A}/*`] });
    expect(err.details).toEqual([
      {
        path: '$.scope.actions[1]',
        action: 's3:PutObject',
        resource: `${BUCKET_A}/*`,
        message: `s3:PutObject on ${BUCKET_A}/* is not allowed by the tenant policy`,
      },
    ]);
  });

  it('does not let a requested wildcard reach beyond the tenant pattern', () => {
    expect(refusal({ actions: ['s3:*'] }).details).toHaveLength(1);
    expect(refusal({ actions: ['*'] }).details).toHaveLength(1);
    expect(refusal({ resources: ['arn:aws:s3:::*'] }).details).toHaveLength(1);
    expect(refusal({ resources: [`${BUCKET_B}/in*`] }).details).toHaveLength(1);
  });

  it('counts neither Deny nor NotAction/NotResource statements as allowing anything', () => {
    // Only the Deny, NotAction and NotResource statements would match these.
    expect(refusal({ actions: ['ec2:RunInstances'] }).details).toHaveLength(1);
    expect(refusal({ actions: ['sqs:SendMessage'], resources: ['arn:aws:sqs:eu-west-1:1:q'] }).details).toHaveLength(1);
    expect(refusal({ actions: ['s3:GetObject'] }, [{ Effect: 'Deny', Action: 's3:GetObject', Resource: '*' }]).details).toHaveLength(1);
  });

  it('refuses everything when the tenant has no statements, and lists at most 50 problems', () => {
    expect(refusal({ actions: ['s3:GetObject'] }, []).details).toHaveLength(1);
    const actions = Array.from({ length: 10 }, (_, i) => `ec2:Action${i}`);
    const resources = Array.from({ length: 10 }, (_, i) => `arn:aws:ec2:::r${i}`);
    const err = refusal({ actions, resources });
    expect(err.details).toHaveLength(50);
    expect(err.details[49]).toMatchObject({ action: 'ec2:Action4', resource: 'arn:aws:ec2:::r9' });
  });
});

describe('buildSessionPolicy', () => {
  const rendered = statements.slice(0, 2);

  it('is the rendered statements alone without a scope', () => {
    expect(buildSessionPolicy(rendered, undefined)).toEqual({ Version: '2012-10-17', Statement: rendered });
    expect(buildSessionPolicy(rendered, {})).toEqual({ Version: '2012-10-17', Statement: rendered });
    expect(buildSessionPolicy(rendered, { actions: [], resources: [] })).toEqual({ Version: '2012-10-17', Statement: rendered });
  });

  it('narrows actions with Deny NotAction', () => {
    expect(buildSessionPolicy(rendered, { actions: ['s3:GetObject'] }).Statement).toEqual([
      ...rendered,
      { Sid: 'CredvendScopeActions', Effect: 'Deny', NotAction: ['s3:GetObject'], Resource: '*' },
    ]);
  });

  it('narrows resources with Deny NotResource', () => {
    expect(buildSessionPolicy(rendered, { resources: [`${BUCKET_A}/x`] }).Statement).toEqual([
      ...rendered,
      { Sid: 'CredvendScopeResources', Effect: 'Deny', Action: '*', NotResource: [`${BUCKET_A}/x`] },
    ]);
  });

  it('narrows both, and leaves its input alone', () => {
    const before = structuredClone(rendered);
    const policy = buildSessionPolicy(rendered, { actions: ['s3:Get*'], resources: ['r1', 'r2'] });
    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        ...rendered,
        { Sid: 'CredvendScopeActions', Effect: 'Deny', NotAction: ['s3:Get*'], Resource: '*' },
        { Sid: 'CredvendScopeResources', Effect: 'Deny', Action: '*', NotResource: ['r1', 'r2'] },
      ],
    });
    expect(rendered).toEqual(before);
    expect(policy.Statement).not.toBe(rendered);
  });
});
