// The credvend CLI: main() in-process for each behaviour, plus the bundled and tsx-run programs
// spawned for real (one of them through the AWS SDK's own credential_process support).

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Env } from '../../../client';
import { HELP, main, shellQuote } from '../../../client/cli';
import { DependencyUnavailableError, ForbiddenError, UnauthorizedError } from '../../../lib/core/errors';
import { FakeCredvend, randomApiKey } from './fake-credvend';

const ROOT = resolve(import.meta.dirname ?? '.', '../../..');
const START = Date.UTC(2026, 10, 22, 7, 0, 0);

let fake: FakeCredvend;
let apiKey: string;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credvend-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  fake = await FakeCredvend.start();
  fake.clock = () => START;
  apiKey = randomApiKey();
});
afterEach(async () => {
  await fake.close();
});

/** Every secret in play: none may ever reach stderr. */
function expectNoSecrets(stderr: string): void {
  for (const secret of [apiKey, apiKey.split('.')[2]!, ...fake.secrets()]) expect(stderr).not.toContain(secret);
}

async function run(argv: string[], env: Env = { CREDVEND_API_KEY: apiKey }) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, env, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    now: () => START,
    sleep: async () => {},
  });
  expectNoSecrets(stderr);
  return { code, stdout, stderr };
}

const issued = (i = 0) => {
  const body = fake.issued[i];
  if (!body) throw new Error(`no issuance ${i}`);
  return body;
};

describe('commands', () => {
  it('credential-process prints exactly the credential_process document the API serialized', async () => {
    const r = await run(['credential-process', '--endpoint', fake.url]);
    expect(r).toEqual({ code: 0, stdout: `${Buffer.from(issued().serialized, 'base64').toString('utf8')}\n`, stderr: '' });
    const c = issued().credentials;
    expect(JSON.parse(r.stdout)).toEqual({
      Version: 1,
      AccessKeyId: c.accessKeyId,
      SecretAccessKey: c.secretAccessKey,
      SessionToken: c.sessionToken,
      Expiration: '2026-11-22T07:15:00Z',
    });
  });

  it('env prints quoted export lines that a shell evaluates back to the credentials', async () => {
    const r = await run(['env', '--endpoint', fake.url]);
    const c = issued().credentials;
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout:
        `export AWS_ACCESS_KEY_ID='${c.accessKeyId}'\n` +
        `export AWS_SECRET_ACCESS_KEY='${c.secretAccessKey}'\n` +
        `export AWS_SESSION_TOKEN='${c.sessionToken}'\n` +
        `export AWS_CREDENTIAL_EXPIRATION='2026-11-22T07:15:00Z'\n`,
    });
    const script = `${r.stdout}printf '%s\\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN" "$AWS_CREDENTIAL_EXPIRATION"`;
    const evaluated = await exec('sh', ['-c', script], {});
    expect(evaluated.stdout).toBe(`${c.accessKeyId}\n${c.secretAccessKey}\n${c.sessionToken}\n2026-11-22T07:15:00Z\n`);
  });

  it('shell-quotes quotes, dollars and backticks', async () => {
    const nasty = `it's $HOME \`id\` "x" \\`;
    expect((await exec('sh', ['-c', `printf %s ${shellQuote(nasty)}`], {})).stdout).toBe(nasty);
  });

  it('issue prints a summary without the secret', async () => {
    const r = await run(['issue', '--endpoint', fake.url]);
    const b = issued();
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        'Issued credentials',
        `  issuance id:        ${b.issuanceId}`,
        '  tenant:             acme',
        '  partner:            partner-one',
        '  mode:               assume-role',
        `  principal:          ${b.principal.arn}`,
        `  access key id:      ${b.credentials.accessKeyId}`,
        '  expires:            2026-11-22T07:15:00Z (in 15m 0s)',
        '  refresh after:      2026-11-22T07:12:00Z',
        '  policy version:     4',
        `  packed policy size: ${b.packedPolicySize}% of the STS limit`,
        '',
      ].join('\n'),
    );
    for (const secret of fake.secrets()) expect(r.stdout).not.toContain(secret);
  });

  it('issue --show-secret adds the secret access key and session token', async () => {
    const r = await run(['issue', '--show-secret', '--endpoint', fake.url]);
    const c = issued().credentials;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`\n  secret access key:  ${c.secretAccessKey}\n  session token:      ${c.sessionToken}\n`);
  });

  it('sends the request options as the issue body', async () => {
    const argv = ['issue', '--endpoint', fake.url, '--mode', 'federation', '--duration', '1800', '--session-name=nightly'];
    argv.push('--scope-action', 's3:GetObject', '--scope-action', 's3:PutObject', '--scope-resource', 'arn:aws:s3:::b/*');
    expect((await run(argv)).code).toBe(0);
    expect(fake.requests[0]!.body).toEqual({
      mode: 'federation',
      durationSeconds: 1800,
      sessionName: 'nightly',
      scope: { actions: ['s3:GetObject', 's3:PutObject'], resources: ['arn:aws:s3:::b/*'] },
    });
  });

  it('takes the endpoint from CREDVEND_ENDPOINT', async () => {
    expect((await run(['env'], { CREDVEND_API_KEY: apiKey, CREDVEND_ENDPOINT: fake.url })).code).toBe(0);
    expect(fake.requests).toHaveLength(1);
  });

  it('reads the key from --key-file over CREDVEND_API_KEY, and from CREDVEND_API_KEY_FILE', async () => {
    const file = join(dir, 'key');
    await writeFile(file, `${apiKey}\n`, { mode: 0o600 });
    const other = randomApiKey();
    expect((await run(['env', '--endpoint', fake.url, '--key-file', file], { CREDVEND_API_KEY: other })).code).toBe(0);
    expect((await run(['env', '--endpoint', fake.url], { CREDVEND_API_KEY_FILE: file })).code).toBe(0);
    expect(fake.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${apiKey}`, `Bearer ${apiKey}`]);
  });

  it('keyless: sends the token of --web-identity-token-file instead of a key, read again on every issuance (EKS rotates it)', async () => {
    const file = join(dir, 'token');
    const jwt = (n: number) => `eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ${n}In0.c2ln${n}`;
    await writeFile(file, `${jwt(1)}\n`);
    expect((await run(['credential-process', '--endpoint', fake.url, '--web-identity-token-file', file])).code).toBe(0);
    await writeFile(file, jwt(2));
    expect(
      (await run(['credential-process', '--endpoint', fake.url], { CREDVEND_WEB_IDENTITY_TOKEN_FILE: file, CREDVEND_API_KEY: apiKey }))
        .code,
    ).toBe(0);
    expect(fake.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${jwt(1)}`, `Bearer ${jwt(2)}`]);
    const missing = await run(['env', '--endpoint', fake.url, '--web-identity-token-file', join(dir, 'nope')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Cannot read the web identity token file');
  });

  it('prints the help on --help and -h', async () => {
    expect(await run(['--help'])).toEqual({ code: 0, stdout: HELP, stderr: '' });
    expect(await run(['issue', '-h'])).toEqual({ code: 0, stdout: HELP, stderr: '' });
  });
});

describe('errors: exit status and one line on stderr', () => {
  it.each([
    [['--api-key', 'KEY'], '--api-key is refused'],
    [['--api-key=KEY'], '--api-key is refused'],
    [['--key', 'KEY'], '--key is refused'],
    [['-key=KEY'], '--key is refused'],
    [['--token=KEY'], '--token is refused'],
  ])('refuses a key on the command line: %j', async (flags, reason) => {
    const argv = ['issue', '--endpoint', fake.url, ...flags.map((f) => f.replace('KEY', apiKey))];
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `credvend: usage: ${reason}: command-line arguments are visible to other users and kept in shell history; ` +
        'set CREDVEND_API_KEY, or pass --key-file PATH (or CREDVEND_API_KEY_FILE)\n',
    );
    expect(fake.requests).toHaveLength(0);
  });

  it.each([
    [[], 'missing command (credential-process, env, issue, decode-message); see credvend --help'],
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['KEY'], 'unknown command'],
    [['issue', 'extra'], 'unexpected argument after the command (1 extra)'],
    [['issue', '--bogus'], 'unknown option --bogus'],
    [['issue', '-x'], 'unknown option -x'],
    [['issue', '--endpoint'], '--endpoint needs a value'],
    [['issue', '--endpoint', '--mode', 'federation'], '--endpoint needs a value'],
    [['issue', '--', '--endpoint'], 'unexpected argument after the command (1 extra)'],
    [['issue', '--duration', 'soon'], '--duration must be a whole number of seconds'],
    [['issue', '--mode', 'root'], '--mode must be one of assume-role, federation'],
    [['issue', '--help=yes'], '--help takes no value'],
    [['env', '--show-secret'], '--show-secret applies to the issue command only'],
    [['issue'], 'no endpoint: pass --endpoint URL or set CREDVEND_ENDPOINT'],
  ])('usage error for %j', async (argv, message) => {
    const r = await run(argv.map((a) => a.replace('KEY', apiKey)));
    expect(r).toEqual({ code: 2, stdout: '', stderr: `credvend: usage: ${message}\n` });
  });

  it.each([
    [
      'a rejected key',
      { kind: 'error', error: new UnauthorizedError('invalid_key', 'The API key is not valid') },
      'invalid_key: The API key is not valid',
      1,
    ],
    [
      'an uncovered scope',
      { kind: 'error', error: new ForbiddenError('scope_not_allowed', 'Not covered: s3:DeleteObject') },
      'scope_not_allowed: Not covered: s3:DeleteObject',
      1,
    ],
    [
      'a multi-line message',
      { kind: 'raw', status: 400, body: JSON.stringify({ error: { code: 'bad', message: 'line one\nline two', requestId: 'r' } }) },
      'bad: line one line two',
      1,
    ],
  ] as const)('reports %s from the API', async (_name, step, line, requests) => {
    fake.next(step);
    const r = await run(['credential-process', '--endpoint', fake.url]);
    expect(r).toEqual({ code: 1, stdout: '', stderr: `credvend: ${line}\n` });
    expect(fake.requests).toHaveLength(requests);
  });

  it('retries an unavailable API, then reports it', async () => {
    const unavailable = {
      kind: 'error',
      error: new DependencyUnavailableError('sts_unavailable', 'STS is unavailable; retry later'),
    } as const;
    fake.next(unavailable, unavailable, unavailable, unavailable);
    const r = await run(['env', '--endpoint', fake.url]);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'credvend: sts_unavailable: STS is unavailable; retry later\n' });
    expect(fake.requests).toHaveLength(4);
  });

  it('reports a missing key, an unreadable key file and an unreachable endpoint', async () => {
    expect(await run(['env', '--endpoint', fake.url], {})).toEqual({
      code: 1,
      stdout: '',
      stderr: 'credvend: missing_api_key: No API key: set CREDVEND_API_KEY, or CREDVEND_API_KEY_FILE to a file holding the key\n',
    });
    const missing = join(dir, 'no-such-key');
    expect((await run(['env', '--endpoint', fake.url, '--key-file', missing])).stderr).toBe(
      `credvend: key_file_unreadable: Cannot read the API key file ${missing} (ENOENT)\n`,
    );
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const { port } = closed.address() as AddressInfo;
    await new Promise((done) => closed.close(done));
    expect(await run(['env', '--endpoint', `http://127.0.0.1:${port}`])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'credvend: network_error: Could not reach credvend (ECONNREFUSED)\n',
    });
  });
});

describe('the built program', () => {
  let bundle: string;

  beforeAll(async () => {
    const built = await exec(process.execPath, [join(ROOT, 'scripts/build-client.mjs'), join(dir, 'dist')], {});
    expect(built.code).toBe(0);
    bundle = join(dir, 'dist', 'credvend.mjs');
  });

  it('prints the credential_process document, and fails with exit 1 and one clean stderr line', async () => {
    const env = { CREDVEND_API_KEY: apiKey };
    const ok = await exec(bundle, ['credential-process', '--endpoint', fake.url], env);
    expect(ok).toEqual({ code: 0, stdout: `${Buffer.from(issued().serialized, 'base64').toString('utf8')}\n`, stderr: '' });

    fake.next({ kind: 'error', error: new UnauthorizedError('invalid_key', 'The API key is not valid') });
    const refused = await exec(bundle, ['credential-process', '--endpoint', fake.url], env);
    expect(refused).toEqual({ code: 1, stdout: '', stderr: 'credvend: invalid_key: The API key is not valid\n' });

    const argv = await exec(bundle, ['issue', '--endpoint', fake.url, `--api-key=${apiKey}`], {});
    expect(argv.code).toBe(2);
    expectNoSecrets(argv.stderr);
  });

  it('is a credential_process the AWS SDK accepts', async () => {
    fake.clock = Date.now; // the SDK checks Expiration against the real clock
    const seen = fake.fakeSts('/sts/');
    // As the README recommends: the key file's path on the command line, the key itself in the file.
    const keyFile = join(dir, 'sdk-key');
    await writeFile(keyFile, apiKey, { mode: 0o600 });
    const config = join(dir, `config-${Date.now()}`);
    const command = `"${process.execPath}" "${bundle}" credential-process --endpoint ${fake.url} --key-file ${keyFile}`;
    await writeFile(config, `[profile credvend]\ncredential_process = ${command}\n`);
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none') });
    try {
      const sts = new STSClient({ region: 'us-east-1', profile: 'credvend', endpoint: `${fake.url}/sts/`, maxAttempts: 1 });
      expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe('123456789012');
    } finally {
      process.env = saved;
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]!.authorization).toContain(`Credential=${issued().credentials.accessKeyId}/`);
    expect(seen[0]!.securityToken).toBe(issued().credentials.sessionToken);
  });

  it('runs from source with tsx', async () => {
    const r = await exec(
      process.execPath,
      [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'client/cli.ts'), 'env', '--endpoint', fake.url],
      {
        CREDVEND_API_KEY: apiKey,
      },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`export AWS_ACCESS_KEY_ID='${issued().credentials.accessKeyId}'\n`);
  });
});

/** Runs a program asynchronously (the fake server lives in this process) with a minimal environment. */
function exec(file: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(file, args, { env: { PATH: process.env.PATH ?? '', ...env }, cwd: ROOT }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

describe('decode-message', () => {
  const MESSAGE = 'AbC-_123'.repeat(10);
  async function decodeRun(argv: string[], stdin: string, answer: { status: number; body: unknown }) {
    const seen: { url: string; body: unknown; authorization: string | null }[] = [];
    const fetchStub = (async (url: URL, init: RequestInit) => {
      seen.push({ url: String(url), body: JSON.parse(String(init.body)), authorization: new Headers(init.headers).get('authorization') });
      return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json' } });
    }) as unknown as typeof fetch;
    let stdout = '';
    let stderr = '';
    const code = await main(
      argv,
      { CREDVEND_API_KEY: apiKey, CREDVEND_ENDPOINT: 'https://credvend.example.com/prod' },
      {
        stdout: (t) => {
          stdout += t;
        },
        stderr: (t) => {
          stderr += t;
        },
        fetch: fetchStub,
        stdin: async () => stdin,
      },
    );
    return { code, stdout, stderr, seen };
  }

  it('sends the message found in a pasted AccessDenied text (stdin) and prints the decoded JSON', async () => {
    const decoded = { allowed: false, context: { principal: { arn: 'arn:aws:sts::1:assumed-role/r/s' } } };
    const r = await decodeRun(
      ['decode-message'],
      `An error occurred (AccessDenied): no. Encoded authorization failure message: ${MESSAGE}\n`,
      {
        status: 200,
        body: { decodedMessage: decoded, principal: { arn: 'arn:aws:sts::1:assumed-role/r/s' } },
      },
    );
    expect(r).toMatchObject({ code: 0, stderr: '', stdout: `${JSON.stringify(decoded, null, 2)}\n` });
    expect(r.seen).toEqual([
      {
        url: 'https://credvend.example.com/prod/v1/authorization-messages/decode',
        body: { encodedMessage: MESSAGE },
        authorization: `Bearer ${apiKey}`,
      },
    ]);
  });

  it('takes the message as an argument, and reports the API 404 and a missing message on one line', async () => {
    const notFound = { error: { code: 'not_found', message: 'No authorization message about your sessions was found', requestId: 'r1' } };
    const r = await decodeRun(['decode-message', MESSAGE], '', { status: 404, body: notFound });
    expect(r.seen[0]?.body).toEqual({ encodedMessage: MESSAGE });
    expect(r).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'credvend: not_found: No authorization message about your sessions was found\n',
    });
    const none = await decodeRun(['decode-message'], 'nothing here\n', { status: 200, body: {} });
    expect(none).toMatchObject({
      code: 1,
      stderr: 'credvend: invalid_message: No encoded authorization failure message found in the input\n',
    });
    expect(none.seen).toEqual([]);
  });
});

describe('MFA (issue 19)', () => {
  async function runWithPrompt(argv: string[], answer: string | undefined) {
    let stdout = '';
    let stderr = '';
    let prompts = 0;
    const code = await main(
      argv,
      { CREDVEND_API_KEY: apiKey },
      {
        stdout: (text) => {
          stdout += text;
        },
        stderr: (text) => {
          stderr += text;
        },
        now: () => START,
        sleep: async () => {},
        promptMfaCode: async () => {
          prompts++;
          return answer;
        },
      },
    );
    expectNoSecrets(stderr);
    return { code, stdout, stderr, prompts };
  }
  const mfaRequired = () => ({ kind: 'error', error: new ForbiddenError('mfa_required', 'The tenant requires an MFA code') }) as const;

  it('--mfa-code sends mfaCode in the issue body, and no prompt is made', async () => {
    const r = await runWithPrompt(['credential-process', '--endpoint', fake.url, '--mfa-code', '012345'], '999999');
    expect(r.code).toBe(0);
    expect(fake.requests.map((q) => q.body)).toEqual([{ mfaCode: '012345' }]);
    expect(r.prompts).toBe(0);
  });

  it('--mfa-code takes six digits only', async () => {
    const r = await run(['issue', '--endpoint', fake.url, '--mfa-code', '12345']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('credvend: usage: --mfa-code must be the six digits your authenticator shows\n');
    expect(fake.requests).toHaveLength(0);
  });

  it('mfa_required in a terminal: asks once, then sends the answer', async () => {
    fake.next(mfaRequired());
    const r = await runWithPrompt(['credential-process', '--endpoint', fake.url, '--mode', 'federation'], ' 654321\n');
    expect(r.code).toBe(0);
    expect(r.prompts).toBe(1);
    expect(fake.requests.map((q) => q.body)).toEqual([{ mode: 'federation' }, { mode: 'federation', mfaCode: '654321' }]);
    expect(JSON.parse(r.stdout).Version).toBe(1);
  });

  it('mfa_required without a terminal (or with --mfa-code given): the error line, no prompt', async () => {
    fake.next(mfaRequired());
    const r = await runWithPrompt(['credential-process', '--endpoint', fake.url], undefined);
    expect(r.code).toBe(1);
    expect(r.prompts).toBe(1);
    expect(r.stderr).toBe('credvend: mfa_required: The tenant requires an MFA code\n');
    fake.next(mfaRequired());
    const given = await runWithPrompt(['credential-process', '--endpoint', fake.url, '--mfa-code', '111111'], '222222');
    expect(given.code).toBe(1);
    expect(given.prompts).toBe(0);
  });

  it('a prompt answer that is not six digits is a usage error and is not sent', async () => {
    fake.next(mfaRequired());
    const r = await runWithPrompt(['issue', '--endpoint', fake.url], 'abc');
    expect(r.code).toBe(2);
    expect(fake.requests).toHaveLength(1);
  });
});
