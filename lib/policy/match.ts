// Wildcard coverage for IAM patterns: does `pattern` match every string `requested` can stand for?
// `requested` may itself contain wildcards (a caller may ask for "s3:Get*"): its `*` and `?` can only be
// absorbed by a `*` of the pattern, so a covered request can never expand beyond the pattern.

const WILDCARD = /[*?]/;

export function patternCovers(pattern: string, requested: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const r = ignoreCase ? requested.toLowerCase() : requested;
  // A literal pattern covers only the same literal; a request's own wildcard needs a `*` to absorb it.
  if (!WILDCARD.test(p)) return p === r && !WILDCARD.test(r);
  // The literal text before the pattern's first wildcard must open the request (cheap rejections).
  const head = p.search(WILDCARD);
  if (r.slice(0, head) !== p.slice(0, head)) return false;
  // reachable[j]: the pattern prefix consumed so far can match r[0..j). Two buffers, reused.
  let reachable = new Uint8Array(r.length + 1);
  let next = new Uint8Array(r.length + 1);
  reachable[0] = 1;
  for (let i = 0; i < p.length; i++) {
    const pc = p.charAt(i);
    let alive = 0;
    if (pc === '*') {
      let any = 0;
      for (let j = 0; j <= r.length; j++) {
        any |= reachable[j] ?? 0;
        next[j] = any;
      }
      alive = any;
    } else {
      next[0] = 0;
      for (let j = 1; j <= r.length; j++) {
        const rc = r.charAt(j - 1);
        const single = pc === '?' ? rc !== '*' && rc !== '?' : pc === rc && rc !== '*' && rc !== '?';
        const v = single ? (reachable[j - 1] ?? 0) : 0;
        next[j] = v;
        alive |= v;
      }
    }
    // No prefix of the request is matched any more: nothing later can match it.
    if (!alive) return false;
    [reachable, next] = [next, reachable];
  }
  return reachable[r.length] === 1;
}

export function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
