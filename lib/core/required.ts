// For values the code knows are there (a regex group that always takes part in a match, an id an earlier
// check demanded) but the type system cannot see. If that knowledge is ever wrong, this fails loudly at
// the spot instead of letting undefined travel on into a key, a policy or a table name.

/** `value` itself; an Error naming `what` if it is undefined or null after all. */
export function required<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new Error(`Internal error: ${what} is missing`);
  return value;
}
