// Wildcard coverage for IAM patterns: does `pattern` match every string `requested` can stand for?
// `requested` may itself contain wildcards (a caller may ask for "s3:Get*"): its `*` and `?` can only be
// absorbed by a `*` of the pattern, so a covered request can never expand beyond the pattern.

const WILDCARD = /[*?]/;
/** Characters String.prototype.indexOf scans for the cost of one compared in JavaScript (7-27 measured on 2 cores). */
const NATIVE_SCAN_DISCOUNT = 8;

/**
 * Work shared by many coverage checks, counted in steps (a request character compared, or 8 scanned
 * natively), so a caller (a partner's scope) can be refused once they pass `limit`, whatever the strings.
 */
export class MatchBudget {
  used = 0;
  constructor(readonly limit: number) {}

  spend(steps: number): void {
    this.used += steps;
    if (this.used > this.limit) throw new MatchBudgetExceededError(this.limit);
  }
}

export class MatchBudgetExceededError extends Error {
  constructor(readonly limit: number) {
    super(`Pattern matching needed more than ${limit} steps`);
  }
}

/** One character of the pattern against one of the request: a request wildcard only ever goes into a `*`. */
function matchesOne(pc: string, rc: string): boolean {
  return rc !== '*' && rc !== '?' && (pc === '?' || pc === rc);
}

/** Whether the `*`-free `segment` matches `r` at `at`, character by character. */
function matchesAt(segment: string, r: string, at: number): boolean {
  for (let k = 0; k < segment.length; k++) if (!matchesOne(segment.charAt(k), r.charAt(at + k))) return false;
  return true;
}

/** The leftmost position in r[from, end) where `segment` matches wholly, or -1. */
function find(segment: string, r: string, from: number, end: number, budget: MatchBudget | undefined): number {
  const last = end - segment.length;
  if (!segment.includes('?')) {
    // Literal characters are never wildcards, so any occurrence is a match (a native scan).
    const at = r.indexOf(segment, from);
    const found = at >= 0 && at <= last;
    budget?.spend(Math.ceil((found ? at + segment.length - from : end - from) / NATIVE_SCAN_DISCOUNT));
    return found ? at : -1;
  }
  for (let at = from; at <= last; at++) {
    budget?.spend(segment.length);
    if (matchesAt(segment, r, at)) return at;
  }
  return -1;
}

export function patternCovers(pattern: string, requested: string, ignoreCase = false, budget?: MatchBudget): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const r = ignoreCase ? requested.toLowerCase() : requested;
  // A literal pattern covers only the same literal; a request's own wildcard needs a `*` to absorb it.
  if (!WILDCARD.test(p)) return p === r && !WILDCARD.test(r);
  // p = s0*s1*…*sn: s0 opens the request, sn closes it, and each middle segment is taken at its leftmost
  // match after the previous one (leaving the most room for the rest), the `*`s absorbing what lies between.
  const segments = p.split('*');
  const first = segments[0] as string;
  if (segments.length === 1) {
    budget?.spend(p.length);
    return r.length === p.length && matchesAt(p, r, 0);
  }
  const last = segments[segments.length - 1] as string;
  const end = r.length - last.length;
  if (end < first.length) return false;
  budget?.spend(first.length + last.length);
  if (!matchesAt(first, r, 0) || !matchesAt(last, r, end)) return false;
  let from = first.length;
  for (const segment of segments.slice(1, -1)) {
    if (segment === '') continue;
    const at = find(segment, r, from, end, budget);
    if (at < 0) return false;
    from = at + segment.length;
  }
  return true;
}

export function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
