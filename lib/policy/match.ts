// Wildcard coverage for IAM patterns: does `pattern` match every string `requested` can stand for?
// `requested` may itself contain wildcards (a caller may ask for "s3:Get*"): its `*` and `?` can only be
// absorbed by a `*` of the pattern, so a covered request can never expand beyond the pattern.

export function patternCovers(pattern: string, requested: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const r = ignoreCase ? requested.toLowerCase() : requested;
  // reachable[j]: the pattern prefix consumed so far can match r[0..j).
  let reachable = new Array<boolean>(r.length + 1).fill(false);
  reachable[0] = true;
  for (const pc of p) {
    const next = new Array<boolean>(r.length + 1).fill(false);
    if (pc === '*') {
      let any = false;
      for (let j = 0; j <= r.length; j++) {
        any = any || reachable[j] === true;
        next[j] = any;
      }
    } else {
      for (let j = 1; j <= r.length; j++) {
        const rc = r.charAt(j - 1);
        const single = pc === '?' ? rc !== '*' && rc !== '?' : pc === rc && rc !== '*' && rc !== '?';
        next[j] = reachable[j - 1] === true && single;
      }
    }
    reachable = next;
  }
  return reachable[r.length] === true;
}

export function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
