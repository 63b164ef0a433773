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

const values: TemplateValues = { tenantId: 'acme', partnerId: 'p1' };

describe('renderString', () => {
  it.each([
    ['arn:aws:s3:::b/{{tenantId}}/{{partnerId}}/*', 'arn:aws:s3:::b/acme/p1/*'],
    ['{{ tenantId }}-{{partnerId}}-{{tenantId}}', 'acme-p1-acme'],
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

  // sessionName was a placeholder once: a request's value must never be rendered into a policy (DESIGN.md "Trust model").
  it.each(['sessionName', ' sessionName ', 'tenantid', 'TenantId', 'accountId', '', 'aws_username'])(
    'throws UnknownPlaceholderError for {{%s}}',
    (name) => {
      let thrown: unknown;
      try {
        renderString(`x{{${name}}}y`, values);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(UnknownPlaceholderError);
      expect((thrown as UnknownPlaceholderError).placeholder).toBe(name.trim());
      expect((thrown as Error).message).toBe(`Unknown template placeholder {{${name.trim()}}}`);
    },
  );

  it('inserts values literally: no $-patterns, no second expansion', () => {
    const hostile: TemplateValues = { tenantId: "$&$'$`$1$$", partnerId: '{{tenantId}}' };
    expect(renderString('a/{{tenantId}}/{{partnerId}}', hostile)).toBe("a/$&$'$`$1$$/{{tenantId}}");
    expect(renderString('a/{{partnerId}}', { tenantId: 'x', partnerId: '{{ sessionName }}' })).toBe('a/{{ sessionName }}');
  });

  it('can be called repeatedly (the global pattern keeps no state between calls)', () => {
    for (let i = 0; i < 3; i++) expect(renderString('{{tenantId}}{{partnerId}}', values)).toBe('acmep1');
  });

  it('declares only the identifiers credvend controls as placeholders, with their longest values', () => {
    expect(PLACEHOLDERS).toEqual(['tenantId', 'partnerId']);
    expect(PLACEHOLDER_MAX_LENGTH).toEqual({ tenantId: 32, partnerId: 32 });
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
        StringEquals: { 'aws:PrincipalTag/{{tenantId}}': ['{{partnerId}}', 'x'], 's3:prefix': '{{partnerId}}/*' },
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
          StringEquals: { 'aws:PrincipalTag/acme': ['p1', 'x'], 's3:prefix': 'p1/*' },
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
    expect(() => renderStatements([{ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b/{{sessionName}}/*' }], values)).toThrow(
      new UnknownPlaceholderError('sessionName'),
    );
    expect(() =>
      renderStatements([{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { '{{nope}}': 'x' } } }], values),
    ).toThrow(UnknownPlaceholderError);
  });
});

describe('renderStatements key collisions', () => {
  const colliding = (key: string): IamStatement[] => [
    { Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': '{{tenantId}}', [key]: 'x' } } },
  ];

  it('refuses a value that renders two keys of one object to the same name', () => {
    expect(() => renderStatements(colliding('aws:ResourceTag/{{partnerId}}'), { ...values, partnerId: 'team' })).toThrow(
      new RenderedKeyCollisionError('aws:ResourceTag/team'),
    );
    expect(() => renderStatements(colliding('aws:ResourceTag/{{ partnerId }}'), { ...values, partnerId: 'team' })).toThrow(
      RenderedKeyCollisionError,
    );
  });

  it('allows equal keys in different objects, and near misses', () => {
    expect(renderStatements(colliding('aws:ResourceTag/{{partnerId}}'), { ...values, partnerId: 'Team' })[0]!.Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/team': 'acme', 'aws:ResourceTag/Team': 'x' },
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

  it('refuses the withdrawn {{sessionName}} in a tag value', () => {
    expect(() => renderTags({ session: '{{sessionName}}' }, values)).toThrow(new UnknownPlaceholderError('sessionName'));
  });

  it('answers {} without tags', () => {
    expect(renderTags(undefined, values)).toEqual({});
  });
});
