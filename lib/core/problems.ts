// How the policy validator reports: zod/mini checks that carry a stable problem code, and the
// translation of zod issues into PolicyProblems with JSON paths. What the rules are lives in validate.ts.
import * as z from 'zod/mini';

export interface PolicyProblem {
  /** JSON path of the offending value, e.g. `$.statements[0].Action[1]` or `$.modes['assume-role']`. */
  path: string;
  code: string;
  message: string;
}

/** Reports one problem; `path` is relative to the value being checked. */
export type Report = (code: string, message: string, path?: PropertyKey[]) => void;

/** A value quoted into a message, cut short so one huge value cannot bloat the error response. */
export const quote = (v: string) => JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);

/**
 * A check that reports problems under stable codes. It runs whenever the value has the JS type it
 * inspects, even if parts of it already failed (zod would skip it then), so one broken field never
 * hides the problems of the object around it.
 */
export function rule<T>(applies: (value: unknown) => boolean, check: (value: T, report: Report) => void) {
  return z.superRefine<T>(
    (value, ctx) => check(value, (code, message, path = []) => ctx.addIssue({ code: 'custom', message, path, params: { problem: code } })),
    { when: (payload) => applies(payload.value) },
  );
}

/** RFC 9535-style path: `.name` for identifier keys, `['key']` for the rest, `[n]` for indexes. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, seg) => {
    if (typeof seg === 'number') return `${acc}[${seg}]`;
    const key = String(seg);
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return `${acc}.${key}`;
    return `${acc}['${key.replace(/[\\']/g, (c) => `\\${c}`)}']`;
  }, '$');
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Issues of a parse run with `reportInput: true` (so an absent field is told from a wrong one). */
export function issuesToProblems(issues: readonly z.core.$ZodIssue[], base: readonly PropertyKey[] = []): PolicyProblem[] {
  return issues.flatMap((issue): PolicyProblem[] => {
    const segments = [...base, ...issue.path];
    const path = jsonPath(segments);
    const typeIssue = issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union';
    if (typeIssue && issue.input === undefined && segments.length > 0) {
      return [{ path, code: 'missing_field', message: `Required field ${quote(String(segments.at(-1)))} is missing` }];
    }
    switch (issue.code) {
      case 'custom':
        return [{ path, code: String(issue.params?.problem ?? 'invalid'), message: issue.message }];
      case 'unrecognized_keys':
        return issue.keys.map((key) => ({
          path: jsonPath([...segments, key]),
          code: 'unknown_field',
          message: `Unknown field ${quote(key)}`,
        }));
      case 'invalid_type':
        return [
          {
            path,
            code: 'invalid_type',
            message: `Expected ${issue.expected === 'record' ? 'object' : issue.expected}, got ${kindOf(issue.input)}`,
          },
        ];
      case 'invalid_value':
        return [{ path, code: 'invalid_value', message: `Expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` }];
      case 'invalid_union': {
        // The branch whose own type matched (issues only below its root) says what is really wrong.
        const [matched, ...others] = issue.errors.filter((branch) => branch.every((i) => i.path.length > 0));
        if (matched && others.length === 0) return issuesToProblems(matched, segments);
        return [{ path, code: 'invalid_type', message: issue.message }];
      }
      default:
        return [{ path, code: issue.code, message: issue.message }];
    }
  });
}
