// Runs serverless-offline (API Gateway + Lambda emulation) against a running local stack.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface Offline {
  url: string;
  process: ChildProcess;
  /** Everything the functions and serverless-offline printed, for tests that inspect logs. */
  output: () => string;
  stop(): Promise<void>;
}

export function startOffline(opts: {
  stage: string;
  env: Record<string, string>;
  httpPort: number;
  lambdaPort: number;
  timeoutMs?: number;
  echo?: boolean;
}): Promise<Offline> {
  // A stale bundle from another output format would shadow the fresh one.
  rmSync(join(ROOT, '.esbuild'), { recursive: true, force: true });
  // Ambient AWS session settings must not leak into the local functions' credentials.
  const { AWS_SESSION_TOKEN: _t, AWS_PROFILE: _p, ...inherited } = process.env;
  const child = spawn(
    process.execPath,
    [require.resolve('serverless/bin/serverless.js'), 'offline', 'start', '--stage', opts.stage],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...inherited,
        ...opts.env,
        CREDVEND_HTTP_PORT: String(opts.httpPort),
        CREDVEND_LAMBDA_PORT: String(opts.lambdaPort),
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
      },
    },
  );
  let output = '';
  const url = `http://127.0.0.1:${opts.httpPort}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`serverless-offline did not start in time:\n${output.slice(-2000)}`));
    }, opts.timeoutMs ?? 60_000);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      if (opts.echo) process.stdout.write(text);
      if (text.includes('Server ready')) {
        clearTimeout(timer);
        resolve({ url, process: child, output: () => output, stop });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serverless-offline exited (${code}):\n${output.slice(-2000)}`));
    });
  });
}
