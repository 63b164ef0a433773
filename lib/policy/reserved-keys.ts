// Keys no document of ours may use: they name JavaScript's object machinery. zod records drop
// `__proto__` silently (a Condition block could lose a key and widen a policy), and an object built
// from such a key can reach Object.prototype; none is a field or a meaningful name anywhere.
import { jsonPath } from '../core/problems';

export const RESERVED_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** JSON paths of every reserved key at any depth of a parsed JSON value (own keys, as JSON.parse makes them). */
export function reservedKeyPaths(value: unknown, path: readonly PropertyKey[] = []): string[] {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((item, i) => reservedKeyPaths(item, [...path, i]));
  return Object.keys(value).flatMap((key) => [
    ...(RESERVED_KEYS.includes(key) ? [jsonPath([...path, key])] : []),
    ...reservedKeyPaths((value as Record<string, unknown>)[key], [...path, key]),
  ]);
}
