// The CLI entry point: starts from a JSON config, prints its address, logs no secret, and stops on SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetFederationTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, describe, expect, it } from '@jest/globals';
import { testUser } from './support';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe('local/sts/main.ts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'local-sts-main-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the config it is given and exits 0 on SIGTERM', async () => {
    const user = testUser('cli-user');
    const config = join(dir, 'sts.json');
    writeFileSync(config, JSON.stringify({ users: [user], accountId: '210987654321' }));
    const { NODE_OPTIONS: _ignored, ...env } = process.env;
    const proc = spawn(process.execPath, ['--import', 'tsx', 'local/sts/main.ts', '--port', '0', '--config', config], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let output = '';
    proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));

    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line in: ${output}`)), 30_000);
      proc.stdout!.on('data', () => {
        const m = /^local STS listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      proc.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
    });

    const sts = new STSClient({ endpoint: url, region: 'us-east-1', credentials: user, maxAttempts: 1 });
    const out = await sts.send(new GetFederationTokenCommand({ Name: 'demo' }));
    expect(out.FederatedUser?.Arn).toBe('arn:aws:sts::210987654321:federated-user/demo');

    const exitCode = await new Promise<number | null>((resolve) => {
      proc.once('exit', (code) => resolve(code));
      proc.kill('SIGTERM');
    });
    expect(exitCode).toBe(0);
    // The request was logged, but no secret: neither the user's nor the issued ones.
    expect(output).toContain('GetFederationToken 200');
    for (const secret of [user.secretAccessKey, out.Credentials?.SecretAccessKey, out.Credentials?.SessionToken]) {
      expect(secret).toBeTruthy();
      expect(output).not.toContain(secret);
    }
  });
});
