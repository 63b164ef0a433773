// The AWS CLI end-to-end suites need a real `aws`. Without one they are skipped on a developer's
// machine, with a warning nobody can miss, and fail when CI is set (.ci/run exports CI=true): there a
// skip would pass the run with the end-to-end path untested.
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { describe } from '@jest/globals';

/** The AWS CLI the end-to-end suites run: Debian's awscli v2 (.ci/run installs it), never whichever `aws` PATH finds first
 * (a pyenv v1 shim shadows it on some machines); CREDVEND_AWS_CLI names another. */
export const AWS_CLI = process.env.CREDVEND_AWS_CLI ?? '/usr/bin/aws';

/** `command` as execFile would find it: an absolute path if executable, else the first on PATH. */
export function findExecutable(command: string, path = process.env.PATH ?? ''): string | undefined {
  const candidates = isAbsolute(command)
    ? [command]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, command));
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * `describe` when the CLI was found. Otherwise: with CI set (to anything non-empty) this throws, so
 * the suite fails to run; without it, `describe.skip` after a loud warning.
 */
export function describeWithAwsCli(command: string, env: NodeJS.ProcessEnv = process.env): (name: string, fn: () => void) => void {
  if (findExecutable(command, env.PATH ?? '') !== undefined) return describe;
  const missing = `the AWS CLI (${command}) is not installed or not executable; .ci/run installs Debian's awscli`;
  if (env.CI)
    throw new Error(`CI=${env.CI}: ${missing}. The AWS CLI end-to-end tests must run in CI, so this suite fails instead of skipping.`);
  const bar = '!'.repeat(100);
  // Straight to stderr: jest prints no console output of a suite whose tests were all skipped.
  process.stderr.write(
    `\n${bar}\n!! AWS CLI END-TO-END TESTS SKIPPED: ${missing}.\n!! They did not run. (With CI set they fail instead.)\n${bar}\n\n`,
  );
  return describe.skip;
}
