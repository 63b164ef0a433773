// The vend path's JSON Schema checker against zod, the one definition of the issuance body.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { BadRequestError } from '../../../lib/core/errors';
import { compileJsonSchema, type JsonSchema, parseWithJsonSchema } from '../../../lib/http/json-schema';
import { toJsonSchema } from '../../../lib/openapi/document';
import { IssueRequestSchema } from '../../../lib/vend/request';
import { bounded } from '../../support/property';

// Read as a file, as the OpenAPI document is: jest warns on JSON imports without import attributes.
const issueRequestJsonSchema: unknown = JSON.parse(
  readFileSync(new URL('../../../lib/openapi/issue-request.schema.json', import.meta.url), 'utf8'),
);

const check = compileJsonSchema(issueRequestJsonSchema as JsonSchema);
const accepts = (input: unknown): boolean => {
  try {
    parseWithJsonSchema(check, input);
    return true;
  } catch (err) {
    if (!(err instanceof BadRequestError)) throw err;
    return false;
  }
};
const detailsOf = (input: unknown) => {
  try {
    parseWithJsonSchema(check, input);
  } catch (err) {
    return (err as BadRequestError).details;
  }
  throw new Error('expected a 400');
};

/** Objects built with own keys (so "__proto__" is a key, as JSON.parse makes it). */
const objectOf = (entries: [string, unknown][]) => Object.fromEntries(entries);
const hostileKey = fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'tenantId', '');
const near = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 9, arbitrary: valid }, { weight: 1, arbitrary: fc.jsonValue() });
const lengthAround = (n: number, char: fc.Arbitrary<string>) =>
  fc
    .oneof(fc.constantFrom(n - 1, n, n + 1), fc.nat(n + 2))
    .chain((len) => fc.array(char, { minLength: len, maxLength: len }).map((cs) => cs.join('')));
const actionChar = fc.constantFrom('s', '3', ':', '*', '?', '-', 'G', ' ', '"', 'é', '\n', '😀');
const action = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('*', 's3:GetObject', 's3:Get*', 'GetObject', 's3:') },
  lengthAround(128, actionChar),
  fc.string({ unit: 'binary' }),
);
const resource = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('*', 'arn:aws:s3:::b/*', '', 'a b') },
  lengthAround(1024, fc.constantFrom('a', '~', '~', ' ', 'é', '\t')),
  fc.string({ unit: 'binary' }),
);
const list = <T>(item: fc.Arbitrary<T>) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.array(item, { maxLength: 2 }) },
    fc.integer({ min: 19, max: 21 }).chain((n) => fc.array(item, { minLength: n, maxLength: n })),
  );
const entriesOf = (fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc
    .tuple(
      fc.tuple(
        ...Object.entries(fields).map(([key, value]) =>
          fc.option(
            value.map((v): [string, unknown] => [key, v]),
            { nil: undefined },
          ),
        ),
      ),
      fc.oneof(
        { weight: 4, arbitrary: fc.constant([]) },
        { weight: 1, arbitrary: fc.array(fc.tuple(fc.oneof(hostileKey, fc.string()), fc.jsonValue()), { minLength: 1, maxLength: 2 }) },
      ),
    )
    .map(([known, extra]) => [...known.filter((e): e is [string, unknown] => e !== undefined), ...extra]);

const scope = near(entriesOf({ actions: near(list(action)), resources: near(list(resource)) }).map(objectOf));
const body = near(
  entriesOf({
    mode: near(fc.constantFrom('assume-role', 'federation', 'root', 'Federation')),
    durationSeconds: near(
      fc.oneof(
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.constantFrom(2 ** 53, -(2 ** 53), 2 ** 53 - 1, -0, 900.5, 1e300),
      ),
    ),
    sessionName: near(fc.oneof(lengthAround(1, fc.constantFrom('a', '😀')), lengthAround(256, fc.constantFrom('a', 'é', '😀')))),
    scope,
  }).map(objectOf),
);

describe('the issuance body JSON Schema', () => {
  it('is the committed lib/openapi/issue-request.schema.json (rebuild: npm run openapi)', () => {
    expect(issueRequestJsonSchema).toEqual(JSON.parse(JSON.stringify(toJsonSchema(IssueRequestSchema))));
  });

  it('accepts exactly what zod accepts, and hands the body back unchanged', () => {
    let accepted = 0;
    fc.assert(
      fc.property(body, (input) => {
        const zod = IssueRequestSchema.safeParse(input);
        expect(accepts(input)).toBe(zod.success);
        if (zod.success) {
          accepted++;
          expect(zod.data).toEqual(input);
        }
      }),
      { numRuns: 5000, ...bounded() },
    );
    // The generator must reach both answers, or the property says little.
    expect(accepted).toBeGreaterThan(100);
  });

  it('never reads keys through the prototype: own "__proto__" and "constructor" keys are unknown fields', () => {
    expect(detailsOf(JSON.parse('{"__proto__":{"mode":"federation"}}'))).toEqual([{ path: '$', message: 'Unknown field(s): __proto__' }]);
    expect(detailsOf(JSON.parse('{"constructor":1,"toString":"x"}'))).toEqual([
      { path: '$', message: 'Unknown field(s): constructor, toString' },
    ]);
    expect(detailsOf(JSON.parse('{"scope":{"__proto__":[]}}'))).toEqual([{ path: '$.scope', message: 'Unknown field(s): __proto__' }]);
  });

  it('names every problem with its path', () => {
    expect(detailsOf({ mode: 'root', durationSeconds: 1.5, scope: { actions: ['ok:Go', 'bad'], other: 1 } })).toEqual([
      { path: '$.mode', message: 'Invalid option: expected one of "assume-role"|"federation"' },
      { path: '$.durationSeconds', message: 'Invalid input: expected integer, received number' },
      { path: '$.scope.actions[1]', message: expect.stringContaining('must match pattern') },
      { path: '$.scope', message: 'Unknown field(s): other' },
    ]);
    expect(detailsOf(null)).toEqual([{ path: '$', message: 'Invalid input: expected object, received null' }]);
  });

  it('refuses a schema keyword it does not know, rather than ignoring it', () => {
    expect(() => compileJsonSchema({ type: 'object', anyOf: [] } as unknown as JsonSchema)).toThrow(
      'JSON Schema keyword anyOf is not supported',
    );
    expect(() => compileJsonSchema({ properties: { a: { format: 'email' } } } as unknown as JsonSchema)).toThrow('keyword format');
  });
});
