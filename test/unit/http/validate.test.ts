import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import * as z from 'zod/mini';
import { BadRequestError } from '../../../lib/core/errors';
import { compileJsonSchema, type JsonSchema, parseWithJsonSchema } from '../../../lib/http/json-schema';
import { issuesToDetails, parseWith } from '../../../lib/http/validate';
import { IssueRequestSchema } from '../../../lib/vend/request';

// Read as a file, as the OpenAPI document is: jest warns on JSON imports without import attributes.
const issueRequestJsonSchema: unknown = JSON.parse(
  readFileSync(new URL('../../../lib/openapi/issue-request.schema.json', import.meta.url), 'utf8'),
);

function failure(schema: z.ZodMiniType, input: unknown, what?: string): BadRequestError {
  try {
    parseWith(schema, input, what);
  } catch (err) {
    expect(err).toBeInstanceOf(BadRequestError);
    return err as BadRequestError;
  }
  throw new Error('expected a 400');
}

describe('parseWith', () => {
  const schema = z.strictObject({ name: z.string(), items: z.optional(z.array(z.strictObject({ n: z.number() }))) });

  it('answers the parsed value', () => {
    expect(parseWith(schema, { name: 'a', items: [{ n: 1 }] })).toEqual({ name: 'a', items: [{ n: 1 }] });
  });

  it('400 invalid_request naming what was invalid, with JSONPath-like paths', () => {
    const err = failure(schema, { name: 1, items: [{ n: 1 }, { n: 'x', extra: true }], other: 1 }, 'policy document');
    expect(err).toMatchObject({ statusCode: 400, code: 'invalid_request', message: 'The policy document is invalid' });
    expect(err.details.map((d) => d.path)).toEqual(expect.arrayContaining(['$.name', '$.items[1].n', '$.items[1]', '$']));
    expect(err.details).toContainEqual({ path: '$', message: 'Unknown field(s): other' });
    expect(err.details).toContainEqual({ path: '$.items[1]', message: 'Unknown field(s): extra' });
    expect(err.details).toHaveLength(4);
  });

  it("defaults to 'request body'", () => {
    expect(failure(schema, null).message).toBe('The request body is invalid');
  });
});

describe('issuesToDetails', () => {
  it('formats paths and unknown keys', () => {
    const issues = [
      { code: 'invalid_type', expected: 'string', path: ['scope', 'actions', 3], message: 'Invalid input' },
      { code: 'unrecognized_keys', keys: ['a', 'b'], path: [], message: 'ignored' },
      { code: 'custom', path: [0, 'x'], message: 'first' },
    ] as unknown as z.core.$ZodIssue[];
    expect(issuesToDetails(issues)).toEqual([
      { path: '$.scope.actions[3]', message: 'Invalid input' },
      { path: '$', message: 'Unknown field(s): a, b' },
      { path: '$[0].x', message: 'first' },
    ]);
  });
});

// The vend handler checks the JSON Schema generated from IssueRequestSchema (lib/http/json-schema.ts);
// both must give the same answer and the same paths on every case.
const checkIssueRequest = compileJsonSchema(issueRequestJsonSchema as JsonSchema);
const validators: [string, (input: unknown) => BadRequestError | undefined][] = [
  ['zod IssueRequestSchema', (input) => (IssueRequestSchema.safeParse(input).success ? undefined : failure(IssueRequestSchema, input))],
  [
    'generated JSON Schema',
    (input) => {
      try {
        parseWithJsonSchema(checkIssueRequest, input);
        return undefined;
      } catch (err) {
        expect(err).toBeInstanceOf(BadRequestError);
        return err as BadRequestError;
      }
    },
  ],
];

describe.each(validators)('%s', (_name, validate) => {
  it.each<[string, unknown]>([
    ['an empty request', {}],
    ['every field', { mode: 'federation', durationSeconds: 3600, sessionName: 'job', scope: { actions: ['*'], resources: ['*'] } }],
    ['assume-role', { mode: 'assume-role' }],
    ['a 1-char session name (STS limits come later, as 422)', { sessionName: 'x' }],
    ['any integer duration (limits come later)', { durationSeconds: -5 }],
    ['wildcard actions', { scope: { actions: ['s3:Get*', 's3:?etObject', 'ec2-instance-connect:SendSSHPublicKey', '*'] } }],
    ['20 actions and 20 resources', { scope: { actions: Array(20).fill('s3:GetObject'), resources: Array(20).fill('arn:aws:s3:::b/*') } }],
    ['a 1024-char resource', { scope: { resources: ['a'.repeat(1024)] } }],
    ['an empty scope', { scope: {} }],
  ])('accepts %s', (_, input) => {
    expect(validate(input)).toBeUndefined();
  });

  it('accepts a 256-char session name', () => {
    expect(validate({ sessionName: 'x'.repeat(256) })).toBeUndefined();
  });

  it.each<[string, unknown, string]>([
    ['an unknown field', { tenantId: 'other' }, '$'],
    ['an unknown scope field', { scope: { conditions: {} } }, '$.scope'],
    ['an unknown mode', { mode: 'root' }, '$.mode'],
    ['a fractional duration', { durationSeconds: 900.5 }, '$.durationSeconds'],
    ['a string duration', { durationSeconds: '900' }, '$.durationSeconds'],
    ['an empty session name', { sessionName: '' }, '$.sessionName'],
    ['a 257-char session name', { sessionName: 'x'.repeat(257) }, '$.sessionName'],
    ['a session name that is not a string', { sessionName: 5 }, '$.sessionName'],
    ['an action without service', { scope: { actions: ['GetObject'] } }, '$.scope.actions[0]'],
    ['an action with a space', { scope: { actions: ['s3:Get Object'] } }, '$.scope.actions[0]'],
    ['an action with a quote', { scope: { actions: ['s3:"'] } }, '$.scope.actions[0]'],
    ['a 129-char action', { scope: { actions: [`s3:${'a'.repeat(126)}`] } }, '$.scope.actions[0]'],
    ['21 actions', { scope: { actions: Array(21).fill('s3:GetObject') } }, '$.scope.actions'],
    ['a resource with a space', { scope: { resources: ['arn:aws:s3:::b/a b'] } }, '$.scope.resources[0]'],
    ['a resource with unicode', { scope: { resources: ['arn:aws:s3:::b/é'] } }, '$.scope.resources[0]'],
    ['a resource with a control character', { scope: { resources: ['arn:aws:s3:::b/\n'] } }, '$.scope.resources[0]'],
    ['an empty resource', { scope: { resources: [''] } }, '$.scope.resources[0]'],
    ['a 1025-char resource', { scope: { resources: ['a'.repeat(1025)] } }, '$.scope.resources[0]'],
    ['21 resources', { scope: { resources: Array(21).fill('*') } }, '$.scope.resources'],
    ['a scope that is a list', { scope: ['s3:GetObject'] }, '$.scope'],
  ])('refuses %s at %s', (_, input, path) => {
    const err = validate(input);
    expect(err).toMatchObject({ statusCode: 400, code: 'invalid_request', message: 'The request body is invalid' });
    expect(err?.details.map((d) => d.path)).toEqual([path]);
  });
});
