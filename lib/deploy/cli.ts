// Argument handling shared by the deploy scripts (scripts/*.ts): strict options, a stage name that
// is safe in resource names, and one error type the scripts print as a usage line.
import { type ParseArgsConfig, parseArgs } from 'node:util';

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses `argv` against `options`; unknown options, stray arguments and missing values are usage errors. */
export function parseOptions<T extends Options>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/** Stage names become part of table, user and parameter names: letters, digits and dashes only. */
export const STAGE_PATTERN = /^[a-zA-Z][a-zA-Z0-9-]{0,31}$/;

export function requiredOption(value: string | undefined, name: string, pattern?: RegExp): string {
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  if (pattern && !pattern.test(value)) throw new UsageError(`--${name} ${JSON.stringify(value)} does not match ${pattern.source}`);
  return value;
}

/** A whole number of seconds from an option, or the fallback. */
export function secondsOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,6}$/.test(value)) throw new UsageError(`--${name} must be a whole number of seconds`);
  return Number(value);
}
