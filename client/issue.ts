// One issuance over HTTP: POST /v1/credentials, with bounded retries of transient failures.
import { readFile } from 'node:fs/promises';
import { CredvendError, CredvendParseError, CredvendUnavailableError, errorForStatus } from './errors';
import { type CredvendCredentials, checkCredentialStrings, parseTimestamp } from './serialized';

export type Env = Record<string, string | undefined>;

/** The body of POST /v1/credentials; every field is optional (the tenant's defaults apply). */
export interface IssueRequest {
  mode?: 'assume-role' | 'federation';
  durationSeconds?: number;
  sessionName?: string;
  scope?: { actions?: readonly string[]; resources?: readonly string[] };
  /** The current code of one of the partner's confirmed TOTP devices, when the tenant requires MFA (six digits). */
  mfaCode?: string;
}

/** The 201 body (DESIGN.md "Issue response") with its timestamps parsed. */
export interface IssueResponse {
  issuanceId: string;
  tenantId: string;
  partnerId: string;
  mode: string;
  credentials: CredvendCredentials;
  serialized: string;
  principal: { arn: string; id: string };
  packedPolicySize: number;
  policyVersion: number;
  serverTime: Date;
  refreshAfter: Date;
}

export interface CredvendClientOptions {
  /** Base URL of the API, e.g. https://api.example.com (a stage path is kept; /v1/credentials is appended). */
  endpoint: string;
  /** The partner API key. Default: env CREDVEND_API_KEY, else the file named by env CREDVEND_API_KEY_FILE. */
  apiKey?: string;
  /** A file holding the API key (read on every issuance, so a rotated key file is picked up). */
  apiKeyFile?: string;
  /**
   * Keyless (a workload identity): a file holding an OIDC token, sent instead of an API key and read
   * again on every issuance (EKS and other platforms rotate it). Default: env
   * CREDVEND_WEB_IDENTITY_TOKEN_FILE. Takes precedence over every API key setting.
   */
  webIdentityTokenFile?: string;
  /** Where CREDVEND_API_KEY / CREDVEND_API_KEY_FILE / CREDVEND_WEB_IDENTITY_TOKEN_FILE are read from. Default: process.env. */
  env?: Env;
  request?: IssueRequest;
  fetch?: typeof fetch;
  /** Retries after the first attempt for network errors, 429, 502, 503, 504. Default 3. */
  maxRetries?: number;
  /** Per-attempt timeout. Default 10 000 ms. */
  timeoutMs?: number;
  /** Plain http:// is refused except to loopback addresses, since the API key travels in a header. */
  allowInsecureHttp?: boolean;
  userAgent?: string;
  /** Test hooks: how backoff waits, and the jitter source. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export const DEFAULT_MAX_RETRIES = 3;
const BASE_DELAY_MS = 200;
const MAX_DELAY_MS = 5_000;
/** A longer Retry-After is not waited out: the typed error (with retryAfterSeconds) goes to the caller. */
export const MAX_RETRY_AFTER_SECONDS = 10;
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_USER_AGENT = 'credvend-client/1';
const KEY_CHARS = /^[\x21-\x7E]{1,1024}$/;

function configError(code: string, message: string): CredvendError {
  return new CredvendError({ code, message });
}

/** The issue URL for an endpoint; throws CredvendError('invalid_endpoint') without echoing the endpoint. */
export function credentialsUrl(endpoint: string, allowInsecureHttp = false): URL {
  return apiUrl(endpoint, '/v1/credentials', allowInsecureHttp);
}

/** An API route's URL under an endpoint (a stage path is kept), with the endpoint checks of credentialsUrl. */
export function apiUrl(endpoint: string, route: string, allowInsecureHttp = false): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw configError('invalid_endpoint', 'The endpoint is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw configError('invalid_endpoint', 'The endpoint must be an http(s) URL');
  }
  if (url.username || url.password || url.search || url.hash) {
    throw configError('invalid_endpoint', 'The endpoint must not contain credentials, a query or a fragment');
  }
  if (url.protocol === 'http:' && !allowInsecureHttp && !isLoopback(url.hostname)) {
    throw configError('insecure_endpoint', 'Refusing to send the API key over plain http to a non-loopback host; use https');
  }
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${route}`;
  return url;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** The API key from the options, else env CREDVEND_API_KEY, else the file named by CREDVEND_API_KEY_FILE. */
export async function resolveApiKey(
  opts: Pick<CredvendClientOptions, 'apiKey' | 'apiKeyFile' | 'webIdentityTokenFile' | 'env'>,
): Promise<string> {
  const env = opts.env ?? process.env;
  let key: string;
  let source: string;
  const tokenFile = opts.webIdentityTokenFile ?? env.CREDVEND_WEB_IDENTITY_TOKEN_FILE;
  if (tokenFile) {
    [key, source] = [await readKeyFile(tokenFile, 'web identity token'), `the web identity token file ${tokenFile}`];
  } else if (opts.apiKey !== undefined) {
    [key, source] = [opts.apiKey, 'the apiKey option'];
  } else if (opts.apiKeyFile) {
    [key, source] = [await readKeyFile(opts.apiKeyFile), `the key file ${opts.apiKeyFile}`];
  } else if (env.CREDVEND_API_KEY) {
    [key, source] = [env.CREDVEND_API_KEY, 'CREDVEND_API_KEY'];
  } else if (env.CREDVEND_API_KEY_FILE) {
    [key, source] = [await readKeyFile(env.CREDVEND_API_KEY_FILE), `the key file ${env.CREDVEND_API_KEY_FILE}`];
  } else {
    throw configError('missing_api_key', 'No API key: set CREDVEND_API_KEY, or CREDVEND_API_KEY_FILE to a file holding the key');
  }
  // Checked here because fetch's own error for a bad header value quotes the value.
  if (!KEY_CHARS.test(key)) {
    throw configError('invalid_api_key', `The API key from ${source} is empty or contains spaces or non-ASCII characters`);
  }
  return key;
}

async function readKeyFile(path: string, what = 'API key'): Promise<string> {
  try {
    // A trailing newline is how editors and `echo` leave it; anything else inside counts as malformed.
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw configError('key_file_unreadable', `Cannot read the ${what} file ${path}${typeof code === 'string' ? ` (${code})` : ''}`);
  }
}

/** One issuance: validates the options, then POSTs with bounded retries. */
export async function issueCredentials(opts: CredvendClientOptions): Promise<IssueResponse> {
  return prepareIssue(opts)();
}

/** Validates the options once (throwing synchronously on a bad endpoint); each call of the result is one issuance. */
export function prepareIssue(opts: CredvendClientOptions): () => Promise<IssueResponse> {
  const url = credentialsUrl(opts.endpoint, opts.allowInsecureHttp);
  const maxRetries = opts.maxRetries ?? DEFAULT_MAX_RETRIES;
  if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 10) {
    throw new RangeError('maxRetries must be an integer from 0 to 10');
  }
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const body = JSON.stringify(opts.request ?? {});
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = opts.random ?? Math.random;

  return async () => {
    const apiKey = await resolveApiKey(opts);
    const attempt = () =>
      attemptIssue({ url, apiKey, body, timeoutMs, fetch: opts.fetch ?? fetch, userAgent: opts.userAgent ?? DEFAULT_USER_AGENT });
    for (let retry = 0; ; retry++) {
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof CredvendError) || !err.retryable || retry >= maxRetries) throw err;
        const delay = retryDelayMs(err, retry, random);
        if (delay === undefined) throw err;
        await sleep(delay);
      }
    }
  };
}

/**
 * Exponential backoff with equal jitter (half fixed, half random, so waits still grow), never
 * shorter than the server's Retry-After; undefined when Retry-After is longer than we wait.
 */
export function retryDelayMs(err: CredvendError, retry: number, random: () => number): number | undefined {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** retry);
  const backoff = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  const retryAfter = (err as { retryAfterSeconds?: number }).retryAfterSeconds;
  if (retryAfter === undefined) return backoff;
  if (retryAfter > MAX_RETRY_AFTER_SECONDS) return undefined;
  return Math.max(backoff, retryAfter * 1000);
}

interface Attempt {
  url: URL;
  apiKey: string;
  body: string;
  timeoutMs: number;
  fetch: typeof fetch;
  userAgent: string;
}

async function attemptIssue(a: Attempt): Promise<IssueResponse> {
  let res: Response;
  let text: string;
  try {
    res = await a.fetch(a.url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${a.apiKey}`,
        'content-type': 'application/json',
        accept: 'application/json',
        'user-agent': a.userAgent,
      },
      body: a.body,
      // Never follow a redirect with the key attached; report it instead.
      redirect: 'manual',
      signal: AbortSignal.timeout(a.timeoutMs),
    });
    text = await res.text();
  } catch (err) {
    throw networkError(err, a.timeoutMs);
  }
  if (res.status >= 200 && res.status < 300) return parseIssueResponse(text);
  throw httpError(res, text, a.apiKey);
}

export function networkError(err: unknown, timeoutMs: number): CredvendError {
  if (err instanceof CredvendError) return err;
  const name = (err as { name?: unknown } | undefined)?.name;
  if (name === 'TimeoutError') {
    return new CredvendUnavailableError({ code: 'timeout', message: `No answer from credvend within ${timeoutMs} ms`, cause: err });
  }
  // Only an error code is passed on: fetch's messages can quote request data such as header values.
  const cause = (err as { cause?: { code?: unknown; name?: unknown } } | undefined)?.cause;
  const reason = [cause?.code, cause?.name, name].find((v): v is string => typeof v === 'string' && /^\w{1,40}$/.test(v));
  return new CredvendUnavailableError({
    code: 'network_error',
    message: `Could not reach credvend${reason ? ` (${reason})` : ''}`,
    cause: err,
  });
}

export function httpError(res: Response, text: string, apiKey: string): CredvendError {
  const status = res.status;
  let error: { code?: unknown; message?: unknown; requestId?: unknown; details?: unknown } | undefined;
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed?.error === 'object' && parsed.error !== null) error = parsed.error as typeof error;
  } catch {
    // Not the API's error shape (a proxy or gateway page): described by status alone below.
  }
  const code = typeof error?.code === 'string' ? error.code : status >= 300 && status < 400 ? 'unexpected_redirect' : `http_${status}`;
  const message =
    typeof error?.message === 'string'
      ? redact(error.message, apiKey)
      : status >= 300 && status < 400
        ? `credvend answered with a redirect (HTTP ${status}); check the endpoint`
        : `credvend answered HTTP ${status}`;
  const requestId = typeof error?.requestId === 'string' ? error.requestId : (res.headers.get('apigw-requestid') ?? undefined);
  const details = Array.isArray(error?.details) ? error.details : [];
  return errorForStatus({
    status,
    code,
    message,
    requestId,
    details,
    retryAfterSeconds: retryAfterSeconds(res.headers.get('retry-after')),
  });
}

/** Retry-After as delta-seconds or an HTTP-date. */
function retryAfterSeconds(header: string | null): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** Defence in depth: the API never echoes a key, but a proxy in between might. */
function redact(message: string, apiKey: string): string {
  let out = message.split(apiKey).join('[redacted]');
  const secret = apiKey.slice(apiKey.lastIndexOf('.') + 1);
  if (secret.length >= 16) out = out.split(secret).join('[redacted]');
  return out;
}

/** Validates a 2xx body against the contract; messages name fields, never values (the body holds secrets). */
export function parseIssueResponse(text: string): IssueResponse {
  function fail(message: string): never {
    throw new CredvendParseError('invalid_response', `Unexpected response from credvend: ${message}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    fail('the body is not JSON');
  }
  const object = (value: unknown, name: string): Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : fail(`${name} is not an object`);
  const string = (value: unknown, name: string): string =>
    typeof value === 'string' && value.length > 0 ? value : fail(`${name} is missing or not a string`);
  const number = (value: unknown, name: string): number => (typeof value === 'number' ? value : fail(`${name} is not a number`));
  const timestamp = (value: unknown, name: string): Date =>
    parseTimestamp(string(value, name)) ?? fail(`${name} is not an ISO-8601 date-time`);

  const o = object(body, 'the body');
  const c = object(o.credentials, 'credentials');
  const p = object(o.principal, 'principal');
  checkCredentialStrings(
    { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken },
    { accessKeyId: 'credentials.accessKeyId', secretAccessKey: 'credentials.secretAccessKey', sessionToken: 'credentials.sessionToken' },
    fail,
  );
  return {
    issuanceId: string(o.issuanceId, 'issuanceId'),
    tenantId: string(o.tenantId, 'tenantId'),
    partnerId: string(o.partnerId, 'partnerId'),
    mode: string(o.mode, 'mode'),
    credentials: {
      accessKeyId: c.accessKeyId as string,
      secretAccessKey: c.secretAccessKey as string,
      sessionToken: c.sessionToken as string,
      expiration: timestamp(c.expiration, 'credentials.expiration'),
    },
    serialized: string(o.serialized, 'serialized'),
    principal: { arn: string(p.arn, 'principal.arn'), id: string(p.id, 'principal.id') },
    packedPolicySize: number(o.packedPolicySize, 'packedPolicySize'),
    policyVersion: number(o.policyVersion, 'policyVersion'),
    serverTime: timestamp(o.serverTime, 'serverTime'),
    refreshAfter: timestamp(o.refreshAfter, 'refreshAfter'),
  };
}
