// Runs serverless-offline (API Gateway + Lambda emulation) against a running local stack.
//
// The functions run in serverless-offline's own process (`useInProcess` in serverless.yml), the way
// Lambda runs them where it sets AWS_LAMBDA_MAX_CONCURRENCY: one module instance per function serves
// every concurrent invocation, each keeping its own deadline and log keys (lib/core/invocation.ts). Its
// default, a worker thread per concurrent request, loads the bundle again for each one (a cold burst
// of 300 on two cores outlasts the Lambda timeout), and a worker cut off by that timeout stays in the
// pool, terminated, answering every later request with a timeout until a restart.
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** What the local functions advertise; serverless-offline itself sets no bound on concurrent invocations. */
const LOCAL_MAX_CONCURRENCY = 1000;

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
  // Each instance bundles into its own folder (serverless-esbuild removes it on stop), so two
  // instances can run at once; a stale bundle from another output format would shadow a fresh one.
  const esbuildFolder = `.esbuild/offline-${opts.httpPort}`;
  rmSync(join(ROOT, esbuildFolder), { recursive: true, force: true });
  // Ambient AWS session settings must not leak into the local functions' credentials.
  const { AWS_SESSION_TOKEN: _t, AWS_PROFILE: _p, ...inherited } = process.env;
  const child = spawn(process.execPath, [require.resolve('serverless/bin/serverless.js'), 'offline', 'start', '--stage', opts.stage], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...inherited,
      ...opts.env,
      CREDVEND_HTTP_PORT: String(opts.httpPort),
      CREDVEND_LAMBDA_PORT: String(opts.lambdaPort),
      CREDVEND_ESBUILD_FOLDER: esbuildFolder,
      // Lambda's concurrent mode: one state per invocation (serverless-offline copies AWS_* to functions).
      AWS_LAMBDA_MAX_CONCURRENCY: String(LOCAL_MAX_CONCURRENCY),
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
    },
  });
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
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serverless-offline exited (${code}):\n${output.slice(-2000)}`));
    });
  });
}
