import { describe, expect, it } from '@jest/globals';
import type { IamStatement } from '../../../lib/core/model';
import {
  PLACEHOLDER_MAX_LENGTH,
  PLACEHOLDERS,
  RenderedKeyCollisionError,
  renderStatements,
  renderString,
  renderTags,
  type TemplateValues,
  UnknownPlaceholderError,
} from '../../../lib/policy/render';

const values: TemplateValues = { tenantId: 'acme', partnerId: 'p1', sessionName: 'job-7' };

describe('renderString', () => {
  it.each([
    ['arn:aws:s3:::b/{{tenantId}}/{{partnerId}}/*', 'arn:aws:s3:::b/acme/p1/*'],
    ['{{ tenantId }}-{{sessionName}}-{{tenantId}}', 'acme-job-7-acme'],
    ['{{\ttenantId\n}}', 'acme'],
    ['no placeholders', 'no placeholders'],
    ['', ''],
    ['{tenantId}', '{tenantId}'],
    ['{{{tenantId}}}', '{acme}'],
    ['{{tenantId', '{{tenantId'],
    ['{{tenant-id}}', '{{tenant-id}}'],
    ['arn:aws:s3:::b/${aws:username}/{{partnerId}}', 'arn:aws:s3:::b/${aws:username}/p1'],
    ['${aws:PrincipalTag/{{partnerId}}}', '${aws:PrincipalTag/p1}'],
  ])('%j -> %j', (template, expected) => {
    expect(renderString(template, values)).toBe(expected);
  });

  it.each(['tenantid', 'TenantId', 'accountId', '', 'aws_username'])('throws UnknownPlaceholderError for {{%s}}', (name) => {
    let thrown: unknown;
    try {
      renderString(`x{{${name}}}y`, values);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(UnknownPlaceholderError);
    expect((thrown as UnknownPlaceholderError).placeholder).toBe(name);
    expect((thrown as Error).message).toBe(`Unknown template placeholder {{${name}}}`);
  });

  it('inserts values literally: no $-patterns, no second expansion', () => {
    const hostile: TemplateValues = { tenantId: "$&$'$`$1$$", partnerId: '{{tenantId}}', sessionName: '{{ partnerId }}' };
    expect(renderString('a/{{tenantId}}/{{partnerId}}/{{sessionName}}', hostile)).toBe("a/$&$'$`$1$$/{{tenantId}}/{{ partnerId }}");
  });

  it('can be called repeatedly (the global pattern keeps no state between calls)', () => {
    for (let i = 0; i < 3; i++) expect(renderString('{{tenantId}}{{partnerId}}', values)).toBe('acmep1');
  });

  it('declares the three placeholders and their longest values', () => {
    expect(PLACEHOLDERS).toEqual(['tenantId', 'partnerId', 'sessionName']);
    expect(PLACEHOLDER_MAX_LENGTH).toEqual({ tenantId: 32, partnerId: 32, sessionName: 64 });
  });
});

describe('renderStatements', () => {
  const templates: IamStatement[] = [
    {
      Sid: 'Own{{partnerId}}',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: ['arn:aws:s3:::b/{{tenantId}}/*', 'arn:aws:s3:::b/${aws:userid}/*'],
      Condition: {
        StringEquals: { 'aws:PrincipalTag/{{tenantId}}': ['{{partnerId}}', 'x'], 's3:prefix': '{{sessionName}}' },
        Bool: { 'aws:SecureTransport': true },
        NumericLessThan: { 's3:max-keys': 10 },
      },
    },
    { Effect: 'Deny', NotAction: 'sts:*', NotResource: '{{tenantId}}' },
  ];

  it('renders every string value and condition key, keeping booleans, numbers and shape', () => {
    expect(renderStatements(templates, values)).toEqual([
      {
        Sid: 'Ownp1',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: ['arn:aws:s3:::b/acme/*', 'arn:aws:s3:::b/${aws:userid}/*'],
        Condition: {
          StringEquals: { 'aws:PrincipalTag/acme': ['p1', 'x'], 's3:prefix': 'job-7' },
          Bool: { 'aws:SecureTransport': true },
          NumericLessThan: { 's3:max-keys': 10 },
        },
      },
      { Effect: 'Deny', NotAction: 'sts:*', NotResource: 'acme' },
    ]);
  });

  it('does not change the templates', () => {
    const before = structuredClone(templates);
    renderStatements(templates, values);
    expect(templates).toEqual(before);
  });

  it('throws on an unknown placeholder anywhere, keys included', () => {
    expect(() => renderStatements([{ Effect: 'Allow', Action: '*', Resource: '{{account}}' }], values)).toThrow(UnknownPlaceholderError);
    expect(() =>
      renderStatements([{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { '{{nope}}': 'x' } } }], values),
    ).toThrow(UnknownPlaceholderError);
  });
});

describe('renderStatements key collisions', () => {
  const colliding = (key: string): IamStatement[] => [
    { Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': '{{partnerId}}', [key]: 'x' } } },
  ];

  it('refuses a value that renders two keys of one object to the same name', () => {
    expect(() => renderStatements(colliding('aws:ResourceTag/{{sessionName}}'), { ...values, sessionName: 'team' })).toThrow(
      new RenderedKeyCollisionError('aws:ResourceTag/team'),
    );
    expect(() => renderStatements(colliding('aws:ResourceTag/{{ partnerId }}'), { ...values, partnerId: 'team' })).toThrow(
      RenderedKeyCollisionError,
    );
  });

  it('allows equal keys in different objects, and near misses', () => {
    expect(renderStatements(colliding('aws:ResourceTag/{{sessionName}}'), { ...values, sessionName: 'Team' })[0]!.Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/team': 'p1', 'aws:ResourceTag/Team': 'x' },
    });
    const twoObjects: IamStatement[] = [
      { Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { k: 'a' }, StringLike: { k: 'b' } } },
    ];
    expect(renderStatements(twoObjects, values)).toEqual(twoObjects);
  });
});

describe('renderTags', () => {
  it('renders values, never keys', () => {
    expect(renderTags({ project: '{{tenantId}}-{{partnerId}}', '{{tenantId}}': 'v', empty: '' }, values)).toEqual({
      project: 'acme-p1',
      '{{tenantId}}': 'v',
      empty: '',
    });
  });

  it('answers {} without tags', () => {
    expect(renderTags(undefined, values)).toEqual({});
  });
});
