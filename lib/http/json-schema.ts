// Request validation on the vend path without zod's runtime: a checker for the JSON Schema subset
// that zod's toJSONSchema emits for the issuance body, run on the schema generated from the zod
// schema (lib/openapi/issue-request.schema.json, written by `npm run openapi`). zod stays the one
// definition (and gives the type); the vend bundle is 17 KB smaller, net of this checker (README.md).
// test/unit/http/json-schema.test.ts checks that this checker and zod agree on generated input.
import { BadRequestError, type ErrorDetail } from '../core/errors';
import { jsonPath } from '../core/problems';

export interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  enum?: readonly unknown[];
  properties?: Record<string, JsonSchema>;
  required?: readonly string[];
  additionalProperties?: boolean;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
}

const KNOWN = new Set([
  'type',
  'enum',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  '$schema',
]);

interface Issue {
  path: (string | number)[];
  message: string;
}

type Check = (value: unknown, path: (string | number)[], issues: Issue[]) => void;

/** String lengths count code points, as JSON Schema and zod do ("😀" is one character). */
function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * Compiles a schema once (patterns included). A keyword outside the subset throws here, at cold
 * start and in the tests, rather than being silently ignored.
 */
export function compileJsonSchema(schema: JsonSchema): Check {
  for (const key of Object.keys(schema)) {
    if (!KNOWN.has(key)) throw new Error(`JSON Schema keyword ${key} is not supported`);
  }
  const pattern = schema.pattern === undefined ? undefined : new RegExp(schema.pattern);
  const properties = Object.entries(schema.properties ?? {}).map(([name, sub]) => [name, compileJsonSchema(sub)] as const);
  const items = schema.items && compileJsonSchema(schema.items);
  const required = schema.required ?? [];

  return (value, path, issues) => {
    const actual = typeOf(value);
    const expected = schema.type;
    const typeOk =
      expected === undefined ||
      (expected === 'integer'
        ? Number.isInteger(value)
        : expected === 'number'
          ? actual === 'number' && Number.isFinite(value)
          : actual === expected);
    if (!typeOk) {
      issues.push({ path, message: `Invalid input: expected ${expected}, received ${actual}` });
      return;
    }
    if (schema.enum && !schema.enum.includes(value)) {
      issues.push({ path, message: `Invalid option: expected one of ${schema.enum.map((v) => JSON.stringify(v)).join('|')}` });
      return;
    }
    if (typeof value === 'string') {
      const length = schema.minLength !== undefined || schema.maxLength !== undefined ? codePoints(value) : 0;
      if (schema.minLength !== undefined && length < schema.minLength) {
        issues.push({ path, message: `Too small: expected string to have >=${schema.minLength} characters` });
      }
      if (schema.maxLength !== undefined && length > schema.maxLength) {
        issues.push({ path, message: `Too big: expected string to have <=${schema.maxLength} characters` });
      }
      if (pattern && !pattern.test(value)) issues.push({ path, message: `Invalid string: must match pattern ${pattern}` });
    } else if (typeof value === 'number') {
      if (schema.minimum !== undefined && value < schema.minimum)
        issues.push({ path, message: `Too small: expected number to be >=${schema.minimum}` });
      if (schema.maximum !== undefined && value > schema.maximum)
        issues.push({ path, message: `Too big: expected number to be <=${schema.maximum}` });
    } else if (Array.isArray(value)) {
      if (schema.minItems !== undefined && value.length < schema.minItems)
        issues.push({ path, message: `Too small: expected array to have >=${schema.minItems} items` });
      if (schema.maxItems !== undefined && value.length > schema.maxItems)
        issues.push({ path, message: `Too big: expected array to have <=${schema.maxItems} items` });
      if (items) {
        value.forEach((item, i) => {
          items(item, [...path, i], issues);
        });
      }
    } else if (actual === 'object') {
      const object = value as Record<string, unknown>;
      for (const [name, check] of properties) {
        // Own properties only: "constructor" or "__proto__" in a body must never reach the prototype.
        if (Object.hasOwn(object, name) && object[name] !== undefined) check(object[name], [...path, name], issues);
      }
      for (const name of required) {
        if (!Object.hasOwn(object, name))
          issues.push({ path: [...path, name], message: 'Invalid input: expected a value, received undefined' });
      }
      if (schema.additionalProperties === false) {
        const known = new Set(properties.map(([name]) => name));
        const unknown = Object.keys(object).filter((name) => !known.has(name));
        if (unknown.length) issues.push({ path, message: `Unknown field(s): ${unknown.join(', ')}` });
      }
    }
  };
}

/** Checks `input` against a compiled schema: the value typed as T, or 400 invalid_request naming each problem. */
export function parseWithJsonSchema<T>(check: Check, input: unknown, what = 'request body'): T {
  const issues: Issue[] = [];
  check(input, [], issues);
  if (issues.length) {
    const details: ErrorDetail[] = issues.map((issue) => ({ path: jsonPath(issue.path), message: issue.message }));
    throw new BadRequestError('invalid_request', `The ${what} is invalid`, { details });
  }
  return input as T;
}
