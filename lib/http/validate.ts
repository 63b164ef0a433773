// Edge validation: a zod/mini schema both checks the input and gives its TypeScript type.
import type * as z from 'zod/mini';
import { BadRequestError, type ErrorDetail } from '../core/errors';
import { jsonPath } from '../core/problems';

export function issuesToDetails(issues: readonly z.core.$ZodIssue[]): ErrorDetail[] {
  return issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return { path: jsonPath(issue.path), message: `Unknown field(s): ${issue.keys.join(', ')}` };
    }
    return { path: jsonPath(issue.path), message: issue.message };
  });
}

export function parseWith<S extends z.ZodMiniType>(schema: S, input: unknown, what = 'request body'): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new BadRequestError('invalid_request', `The ${what} is invalid`, { details: issuesToDetails(result.error.issues) });
  }
  return result.data;
}
