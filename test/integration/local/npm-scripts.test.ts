// `npm start` in one terminal, then the README's other npm scripts in another with no extra
// environment: they find the running stack through the file `npm start` leaves (local/session.ts).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../../support/ports';
import { recordSecrets } from '../../support/secret-scan';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const sessionFile = join(mkdtempSync(join(tmpdir(), 'credvend-session-')), 'stack.json');
let start: ChildProcess;
let startOutput = '';

/** The environment of a new terminal: nothing of credvend's or AWS's configuration. */
function freshTerminalEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(AWS_|CREDVEND_|STAGE$|MAIN_TABLE$|ISSUANCE_TABLE$|FEDERATION_)/.test(name)) continue;
    env[name] = value;
  }
  return { ...env, CREDVEND_LOCAL_SESSION: sessionFile };
}

function npmRun(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('npm', ['run', '--silent', ...args], { cwd: ROOT, env: freshTerminalEnv(), timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  const ports = { CREDVEND_HTTP_PORT: await freePort(), CREDVEND_LAMBDA_PORT: await freePort() };
  const env = { ...freshTerminalEnv(), ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };
  // Free ports for dynalite and the local STS too, so a developer's own `npm start` is left alone.
  env.CREDVEND_DYNAMO_PORT = String(await freePort());
  env.CREDVEND_STS_PORT = String(await freePort());
  env.CREDVEND_OIDC_PORT = String(await freePort());
  start = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['scripts/start.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up:\n${startOutput.slice(-2000)}`)), 100_000);
    const onData = (chunk: Buffer) => {
      startOutput += chunk.toString();
      if (startOutput.includes('Ctrl-C stops everything')) {
        clearTimeout(timer);
        resolve();
      }
    };
    start.stdout!.on('data', onData);
    start.stderr!.on('data', onData);
    start.once('exit', (code) => reject(new Error(`npm start exited (${code}):\n${startOutput.slice(-2000)}`)));
  });
}, 120_000);

afterAll(async () => {
  if (start && start.exitCode === null) {
    const exited = new Promise((resolve) => start.once('exit', resolve));
    start.kill('SIGINT');
    await exited;
  }
});

describe('npm start without a partner key (issue 17)', () => {
  it('prints a second curl that mints a token from the local OIDC issuer and vends with it', async () => {
    const mintUrl = /TOKEN=\$\(curl -s -X POST (\S+)\)/.exec(startOutput)?.[1];
    const api = /curl -s -X POST (http:\/\/localhost:\d+\/v1\/credentials)/.exec(startOutput)?.[1];
    expect(mintUrl).toMatch(/^http:\/\/localhost:\d+\/mint$/);
    expect(startOutput).toContain('-H "Authorization: Bearer $TOKEN"');
    const token = await (await fetch(mintUrl!, { method: 'POST' })).text();
    recordSecrets([token]);
    const res = await fetch(api!, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ durationSeconds: 900 }),
    });
    const body = (await res.json()) as {
      tenantId: string;
      partnerId: string;
      credentials?: { secretAccessKey: string; sessionToken: string };
    };
    expect({ status: res.status, tenantId: body.tenantId, partnerId: body.partnerId }).toEqual({
      status: 201,
      tenantId: 'demo',
      partnerId: 'demo-app',
    });
    recordSecrets([body.credentials!.secretAccessKey, body.credentials!.sessionToken]);
  });
});

describe('npm scripts beside a running npm start', () => {
  it('announces the stack in a file only its user can read, and says so', () => {
    expect(startOutput).toContain(sessionFile);
    expect(statSync(sessionFile).mode & 0o077).toBe(0);
    const session = JSON.parse(readFileSync(sessionFile, 'utf8')) as { pid: number; env: Record<string, string> };
    expect(session.env.MAIN_TABLE).toBe('credvend-local-main');
    expect(session.env.AWS_ENDPOINT_URL_DYNAMODB).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
  });

  it('prints the console URL next to the curl, and the console answers there', async () => {
    const url = /Console: (http:\/\/localhost:\d+\/console) /.exec(startOutput)?.[1];
    expect(url).toBeDefined();
    expect(startOutput.indexOf('Console:')).toBeLessThan(startOutput.indexOf('curl -s -X POST'));
    const res = await fetch(url!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await res.text()).toMatch(/<script type="module" src="\/console\/assets\/app\.[0-9a-f]{12}\.js">/);
  });

  it('npm run audit runs against it with no extra environment', async () => {
    const { code, stdout, stderr } = await npmRun(['audit', '--', '--once']);
    expect(stderr).toContain('using the local stack of npm start');
    expect(code).toBe(0);
    const summary = JSON.parse(stdout.trim().split('\n').pop()!) as { status: string; windowEnd: string };
    expect(summary.status).toBe('completed');
    expect(Date.parse(summary.windowEnd)).toBeGreaterThan(Date.now() - 3_600_000);
  }, 90_000);

  it('npm run migrate-bindings -- --dry-run runs against it too (the demo tenant is bound already)', async () => {
    const { code, stderr } = await npmRun(['migrate-bindings', '--', '--dry-run']);
    expect(stderr).toContain('using the local stack of npm start');
    expect(code).toBe(0);
    expect(stderr).toMatch(/migrate-bindings: 0 tenant\(s\)/);
  }, 90_000);

  it('after Ctrl-C the file is gone and the scripts say no stack is running', async () => {
    const exited = new Promise((resolve) => start.once('exit', resolve));
    start.kill('SIGINT');
    await exited;
    expect(existsSync(sessionFile)).toBe(false);
    const { code, stderr } = await npmRun(['audit', '--', '--once']);
    expect(stderr).toContain('no local stack running');
    expect(code).not.toBe(0);
  }, 90_000);
});
