import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { describeWithAwsCli, findExecutable } from '../../support/aws-cli';

// The guard of the AWS CLI end-to-end suites (test/integration/**/aws-cli.test.ts).
describe('describeWithAwsCli', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aws-cli-guard-'));
  const aws = join(dir, 'aws');
  writeFileSync(aws, '#!/bin/sh\n');
  chmodSync(aws, 0o755);
  writeFileSync(join(dir, 'not-executable'), '');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds a command on PATH or by absolute path, and only if it is executable', () => {
    expect(findExecutable('aws', ['/nonexistent', dir].join(':'))).toBe(aws);
    expect(findExecutable(aws, '')).toBe(aws);
    expect(findExecutable('aws', '/nonexistent')).toBeUndefined();
    expect(findExecutable('not-executable', dir)).toBeUndefined();
  });

  it('is describe when the CLI is there, with or without CI', () => {
    expect(describeWithAwsCli('aws', { PATH: dir })).toBe(describe);
    expect(describeWithAwsCli(aws, { CI: 'true' })).toBe(describe);
  });

  it('fails the suite under CI when the CLI is missing', () => {
    expect(() => describeWithAwsCli('aws', { CI: 'true', PATH: '/nonexistent' })).toThrow(/^CI=true: the AWS CLI \(aws\) is not installed/);
    expect(() => describeWithAwsCli('/nonexistent/aws', { CI: '1' })).toThrow(/fails instead of skipping/);
  });

  it('skips, loudly, only when CI is not set', () => {
    const warn = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(describeWithAwsCli('aws', { PATH: '/nonexistent' })).toBe(describe.skip);
      expect(describeWithAwsCli('aws', { CI: '', PATH: '/nonexistent' })).toBe(describe.skip);
      expect(warn).toHaveBeenCalledTimes(2);
      expect(String(warn.mock.calls[0]![0])).toContain('AWS CLI END-TO-END TESTS SKIPPED');
    } finally {
      warn.mockRestore();
    }
  });
});
