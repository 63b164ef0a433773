// The `credvend` command: credential-process | env | issue. The API key never comes from argv
// (other users see it in `ps` and shells keep it in history), and no secret is written to stderr.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeAuthorizationMessage } from './decode';
import { CredvendError } from './errors';
import { type Env, type IssueRequest, type IssueResponse, issueCredentials } from './issue';
import { credentialProcessDocument, isoSeconds, parseSerialized } from './serialized';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  fetch?: typeof fetch;
  now?: () => number;
  /** decode-message without a message argument reads it from here. Default: process.stdin. */
  stdin?: () => Promise<string>;
  /** How retry backoff waits (tests pass a no-op). */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Asks the person at the terminal for an MFA code (the prompt on stderr) when the API answers
   * mfa_required and no --mfa-code was given; undefined: no terminal, no prompt. Default: a prompt
   * when stdin and stderr are both terminals.
   */
  promptMfaCode?: () => Promise<string | undefined>;
}

const COMMANDS = ['credential-process', 'env', 'issue', 'decode-message'] as const;
type Command = (typeof COMMANDS)[number];
const MODES = ['assume-role', 'federation'] as const;

export const HELP = `Usage: credvend <command> [options]

Obtain short-lived AWS credentials from credvend.

Commands:
  credential-process   print the AWS credential_process JSON document (for credential_process = ...)
  env                  print shell export lines for AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
                       AWS_SESSION_TOKEN and AWS_CREDENTIAL_EXPIRATION (use: eval "$(credvend env)")
  issue                print a summary of the issued credentials (no secret unless --show-secret)
  decode-message [MSG] print an AWS "encoded authorization failure message" about one of your own
                       sessions, decoded (JSON). MSG is the message or the whole AccessDenied text;
                       without it (or with -) it is read from stdin

Options:
  --endpoint URL          API base URL (default: env CREDVEND_ENDPOINT)
  --mode MODE             assume-role | federation (default: the tenant's)
  --duration SECONDS      credential lifetime (default: the tenant's)
  --session-name NAME     STS session name
  --scope-action ACTION   narrow the credentials to this action (repeatable)
  --scope-resource ARN    narrow the credentials to this resource (repeatable)
  --key-file PATH         read the API key from this file (default: env CREDVEND_API_KEY_FILE)
  --mfa-code CODE         the current six-digit code of your MFA device, when the tenant requires
                          MFA; in a terminal, credvend asks for it instead when it is needed
  --web-identity-token-file PATH
                          keyless: send the OIDC token in this file instead of a key, read again
                          on every issuance (default: env CREDVEND_WEB_IDENTITY_TOKEN_FILE)
  --show-secret           issue: also print the secret access key and session token
  --insecure-http         allow a plain http:// endpoint that is not a loopback address
  -h, --help              show this help

The API key comes from env CREDVEND_API_KEY, --key-file or env CREDVEND_API_KEY_FILE;
it is never accepted as an argument.

Exit status: 0 success, 1 the credentials could not be obtained, 2 usage error.
`;

class UsageError extends CredvendError {
  constructor(message: string) {
    super({ code: 'usage', message });
  }
}

interface CommandLine {
  help: boolean;
  /** decode-message: the message (or the AccessDenied text holding it); undefined or '-': stdin. */
  message?: string;
  command?: Command;
  endpoint?: string;
  mode?: IssueRequest['mode'];
  durationSeconds?: number;
  sessionName?: string;
  scopeActions: string[];
  scopeResources: string[];
  keyFile?: string;
  mfaCode?: string;
  webIdentityTokenFile?: string;
  showSecret: boolean;
  insecureHttp: boolean;
}

const VALUE_OPTIONS = [
  'endpoint',
  'mode',
  'duration',
  'session-name',
  'scope-action',
  'scope-resource',
  'key-file',
  'web-identity-token-file',
  'mfa-code',
] as const;
/** RFC 6238 codes as authenticator apps show them. */
const MFA_CODE = /^[0-9]{6}$/;
type ValueOption = (typeof VALUE_OPTIONS)[number];
const FLAG_OPTIONS = ['help', 'show-secret', 'insecure-http'] as const;
/** Flags someone might try for the key; refused with the reason rather than "unknown option". */
const KEY_FLAGS = ['key', 'api-key', 'apikey', 'token', 'secret'];
/** Argument text is echoed in errors only when it cannot be a pasted key. */
const ECHOABLE = /^[a-z][a-z-]{0,31}$/;

export function parseCommandLine(argv: readonly string[]): CommandLine {
  const out: CommandLine = { help: false, scopeActions: [], scopeResources: [], showSecret: false, insecureHttp: false };
  const positionals: string[] = [];
  // One pass over the tokens; an option's separate value is taken from the same iterator.
  const tokens = argv.values();
  for (const token of tokens) {
    if (token === '--') {
      positionals.push(...tokens);
      break;
    }
    if (token === '-h') {
      out.help = true;
      continue;
    }
    if (!token.startsWith('-') || token === '-') {
      positionals.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const name = token.slice(token.startsWith('--') ? 2 : 1, eq === -1 ? undefined : eq);
    const inline = eq === -1 ? undefined : token.slice(eq + 1);
    if (KEY_FLAGS.includes(name.toLowerCase())) {
      throw new UsageError(
        `--${name} is refused: command-line arguments are visible to other users and kept in shell history; ` +
          'set CREDVEND_API_KEY, or pass --key-file PATH (or CREDVEND_API_KEY_FILE)',
      );
    }
    if ((FLAG_OPTIONS as readonly string[]).includes(name) && token.startsWith('--')) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      if (name === 'help') out.help = true;
      if (name === 'show-secret') out.showSecret = true;
      if (name === 'insecure-http') out.insecureHttp = true;
      continue;
    }
    if (!(VALUE_OPTIONS as readonly string[]).includes(name) || !token.startsWith('--')) {
      throw new UsageError(ECHOABLE.test(name) ? `unknown option ${token.startsWith('--') ? '--' : '-'}${name}` : 'unknown option');
    }
    let value = inline;
    if (value === undefined) {
      const next = tokens.next();
      if (next.done || next.value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      value = next.value;
    }
    setOption(out, name as ValueOption, value);
  }
  const [command, ...extra] = positionals;
  if (command !== undefined) {
    if (!(COMMANDS as readonly string[]).includes(command)) {
      throw new UsageError(ECHOABLE.test(command) ? `unknown command "${command}"` : 'unknown command');
    }
    out.command = command as Command;
  }
  if (out.command === 'decode-message' && extra.length > 0) out.message = extra.shift();
  if (extra.length > 0) throw new UsageError(`unexpected argument after the command (${extra.length} extra)`);
  if (out.showSecret && out.command !== undefined && out.command !== 'issue') {
    throw new UsageError('--show-secret applies to the issue command only');
  }
  return out;
}

function setOption(out: CommandLine, name: ValueOption, value: string): void {
  switch (name) {
    case 'endpoint':
      out.endpoint = value;
      return;
    case 'mode':
      if (!(MODES as readonly string[]).includes(value)) throw new UsageError(`--mode must be one of ${MODES.join(', ')}`);
      out.mode = value as IssueRequest['mode'];
      return;
    case 'duration':
      if (!/^[1-9]\d{0,6}$/.test(value)) throw new UsageError('--duration must be a whole number of seconds');
      out.durationSeconds = Number(value);
      return;
    case 'session-name':
      out.sessionName = value;
      return;
    case 'scope-action':
      out.scopeActions.push(value);
      return;
    case 'scope-resource':
      out.scopeResources.push(value);
      return;
    case 'key-file':
      out.keyFile = value;
      return;
    case 'web-identity-token-file':
      out.webIdentityTokenFile = value;
      return;
    case 'mfa-code':
      // Single-use and valid for about a minute, so argv is acceptable for it (unlike the key).
      if (!MFA_CODE.test(value)) throw new UsageError('--mfa-code must be the six digits your authenticator shows');
      out.mfaCode = value;
      return;
  }
}

function requestOf(cl: CommandLine): IssueRequest {
  const request: IssueRequest = {};
  if (cl.mode) request.mode = cl.mode;
  if (cl.durationSeconds !== undefined) request.durationSeconds = cl.durationSeconds;
  if (cl.sessionName !== undefined) request.sessionName = cl.sessionName;
  if (cl.mfaCode !== undefined) request.mfaCode = cl.mfaCode;
  if (cl.scopeActions.length || cl.scopeResources.length) {
    request.scope = {};
    if (cl.scopeActions.length) request.scope.actions = cl.scopeActions;
    if (cl.scopeResources.length) request.scope.resources = cl.scopeResources;
  }
  return request;
}

/** Runs one command; resolves to the exit status. Everything it touches comes in through its arguments. */
export async function main(argv: readonly string[], env: Env, io: CliIo): Promise<number> {
  try {
    const cl = parseCommandLine(argv);
    if (cl.help) {
      io.stdout(HELP);
      return 0;
    }
    if (!cl.command) throw new UsageError(`missing command (${COMMANDS.join(', ')}); see credvend --help`);
    const endpoint = cl.endpoint ?? env.CREDVEND_ENDPOINT;
    if (!endpoint) throw new UsageError('no endpoint: pass --endpoint URL or set CREDVEND_ENDPOINT');
    if (cl.command === 'decode-message') {
      const input = cl.message === undefined || cl.message === '-' ? await (io.stdin ?? readStdin)() : cl.message;
      const decoded = await decodeAuthorizationMessage(
        { endpoint, apiKeyFile: cl.keyFile, env, fetch: io.fetch, allowInsecureHttp: cl.insecureHttp },
        input,
      );
      io.stdout(`${JSON.stringify(decoded.decodedMessage, null, 2)}\n`);
      return 0;
    }
    const issue = (request: IssueRequest) =>
      issueCredentials({
        endpoint,
        apiKeyFile: cl.keyFile,
        webIdentityTokenFile: cl.webIdentityTokenFile,
        env,
        request,
        fetch: io.fetch,
        sleep: io.sleep,
        allowInsecureHttp: cl.insecureHttp,
      });
    const request = requestOf(cl);
    let response: IssueResponse;
    try {
      response = await issue(request);
    } catch (err) {
      // The tenant requires MFA and no code was given: ask the person at the terminal, once.
      if (!(err instanceof CredvendError) || err.code !== 'mfa_required' || request.mfaCode !== undefined) throw err;
      const code = (await (io.promptMfaCode ?? terminalMfaPrompt)())?.trim();
      if (code === undefined) throw err;
      if (!MFA_CODE.test(code)) throw new UsageError('the MFA code must be the six digits your authenticator shows');
      response = await issue({ ...request, mfaCode: code });
    }
    io.stdout(render(cl.command, response, cl.showSecret, (io.now ?? Date.now)()));
    return 0;
  } catch (err) {
    io.stderr(`${errorLine(err)}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}

/** `credvend: <code>: <message>` on one line. Messages are built without secrets; see client/errors.ts. */
function errorLine(err: unknown): string {
  if (err instanceof CredvendError) return `credvend: ${err.code}: ${err.message.replace(/\s+/g, ' ').trim()}`;
  // Not ours: only the class name, since a foreign message may quote data.
  const name = err instanceof Error && /^\w{1,64}$/.test(err.name) ? err.name : 'error';
  return `credvend: internal_error: unexpected ${name}`;
}

/** A prompt on stderr, the answer read from the terminal; undefined when stdin or stderr is not a terminal. */
async function terminalMfaPrompt(): Promise<string | undefined> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    return await rl.question('credvend: MFA code: ');
  } finally {
    rl.close();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function render(command: Exclude<Command, 'decode-message'>, r: IssueResponse, showSecret: boolean, now: number): string {
  switch (command) {
    case 'credential-process':
      // The document the API serialized, decoded: exactly what the AWS CLI and SDKs expect.
      return `${JSON.stringify(credentialProcessDocument(parseSerialized(r.serialized)))}\n`;
    case 'env': {
      const c = r.credentials;
      const vars: Array<[name: string, value: string]> = [
        ['AWS_ACCESS_KEY_ID', c.accessKeyId],
        ['AWS_SECRET_ACCESS_KEY', c.secretAccessKey],
        ['AWS_SESSION_TOKEN', c.sessionToken],
        ['AWS_CREDENTIAL_EXPIRATION', isoSeconds(c.expiration)],
      ];
      return vars.map(([name, value]) => `export ${name}=${shellQuote(value)}\n`).join('');
    }
    case 'issue':
      return summary(r, showSecret, now);
  }
}

export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function summary(r: IssueResponse, showSecret: boolean, now: number): string {
  const rows: [string, string][] = [
    ['issuance id', r.issuanceId],
    ['tenant', r.tenantId],
    ['partner', r.partnerId],
    ['mode', r.mode],
    ['principal', r.principal.arn],
    ['access key id', r.credentials.accessKeyId],
    ['expires', `${isoSeconds(r.credentials.expiration)} (${untilText(r.credentials.expiration.getTime() - now)})`],
    ['refresh after', isoSeconds(r.refreshAfter)],
    ['policy version', String(r.policyVersion)],
    ['packed policy size', `${r.packedPolicySize}% of the STS limit`],
  ];
  if (showSecret) {
    rows.push(['secret access key', r.credentials.secretAccessKey], ['session token', r.credentials.sessionToken]);
  }
  const width = Math.max(...rows.map(([label]) => label.length)) + 1;
  return `Issued credentials\n${rows.map(([label, value]) => `  ${`${label}:`.padEnd(width)} ${value}\n`).join('')}`;
}

function untilText(ms: number): string {
  if (ms <= 0) return 'expired';
  const total = Math.floor(ms / 1000);
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  return `in ${h ? `${h}h ` : ''}${h || m ? `${m}m ` : ''}${s}s`;
}

/** True when this file is the program being run (directly, via tsx, or through an npm bin symlink). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const io: CliIo = { stdout: (text) => void process.stdout.write(text), stderr: (text) => void process.stderr.write(text) };
  // exitCode, not exit(): a piped stdout is written asynchronously and must drain first.
  process.exitCode = await main(process.argv.slice(2), process.env, io);
}
