// The local STS (and minimal SSM) HTTP server: routing, authentication, fault injection and the
// emulator's state. Speaks the real wire protocols so unmodified AWS SDKs and the AWS CLI use it.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { STS_ACTIONS } from './actions';
import { messageSealer } from './authorization-messages';
import { type AwsError, awsError } from './errors';
import { IAM_ACTIONS, IAM_VERSION, iamErrorXml } from './iam';
import { type KeyRecord, KeyStore, roleName } from './identity';
import { explicitlyDenied, InlinePolicies, principalContext } from './identity-policy';
import type { Params } from './params';
import { required } from './required';
import { RoleRegistry } from './roles';
import { checkSignature, headerValue, MESSAGES, parseQueryPairs, parseSigV4, type SignedRequest, type SigV4Auth } from './sigv4';
import { handleSsm, SSM_TARGET_PREFIX, type StoredParameter, ssmAuthError, ssmErrorBody, ssmResource } from './ssm';
import type { LocalSts, LocalStsCall, LocalStsFault, LocalStsOptions, LocalStsParameter, LocalStsSession } from './types';
import { errorXml } from './xml';

export { TrustPolicyError } from './trust';
export type {
  LocalSts,
  LocalStsCall,
  LocalStsFault,
  LocalStsOptions,
  LocalStsParameter,
  LocalStsRole,
  LocalStsSession,
  LocalStsSessionTag,
  LocalStsUser,
  TrustPolicyDocument,
  TrustPolicyStatement,
} from './types';

export const DEFAULT_ACCOUNT_ID = '123456789012';
const STS_VERSION = '2011-06-15';
const MAX_BODY_BYTES = 1024 * 1024;

interface Reply {
  status: number;
  contentType: string;
  body: string;
  code?: string;
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
    // A client that gives up mid-body must not leave the handler waiting forever.
    req.on('close', () => (req.complete ? undefined : reject(new Error('request aborted'))));
  });
}

function rawHeaderPairs(raw: string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([required(raw[i], 'raw header name'), required(raw[i + 1], 'raw header value')]);
  return pairs;
}

/** Query-protocol parameters: the URL's query, then a form-encoded body (POST). */
function queryProtocolParams(signed: SignedRequest): Params {
  const params: Params = new Map(parseQueryPairs(signed.url));
  if (signed.body.length > 0) for (const [name, value] of new URLSearchParams(signed.body.toString('utf8'))) params.set(name, value);
  return params;
}

function sameSecret(a: string, b: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

const stsReply = (error: AwsError, requestId: string): Reply => ({
  status: error.status,
  contentType: 'text/xml',
  body: errorXml(error, requestId),
  code: error.code,
});
const ssmReply = (error: AwsError): Reply => ({
  status: error.status,
  contentType: 'application/x-amz-json-1.1',
  body: JSON.stringify(ssmErrorBody(error)),
  code: error.code,
});

export async function startLocalSts(opts: LocalStsOptions): Promise<LocalSts> {
  if (!Array.isArray(opts.users)) throw new Error('local STS: options.users must be an array');
  const accountId = opts.accountId ?? DEFAULT_ACCOUNT_ID;
  const host = opts.host ?? '127.0.0.1';
  const keys = new KeyStore(accountId, opts.users);
  const startedAt = Date.now();
  if (opts.roles !== undefined && !Array.isArray(opts.roles)) throw new Error('local STS: options.roles must be an array');
  const roles = new RoleRegistry(accountId, opts.roles ?? []);
  const policies = new InlinePolicies();
  const sessions: LocalStsSession[] = [];
  const sessionsByKey = new Map<string, LocalStsSession>();
  const observe = (session: LocalStsSession): void => {
    sessions.push(session);
    sessionsByKey.set(session.accessKeyId, session);
  };
  const parameters = new Map<string, StoredParameter>(
    (opts.parameters ?? []).map((p: LocalStsParameter) => [p.name, { ...p, version: 1, lastModifiedMs: startedAt }]),
  );
  const cipherKey = randomBytes(32);
  const messages = messageSealer();
  const calls: LocalStsCall[] = [];
  let faults: Array<LocalStsFault & { left: number }> = [];
  const pendingDelays = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  let clockOffsetMs = 0;
  const now = (): number => Date.now() + clockOffsetMs;

  function takeFault(action: string): LocalStsFault | undefined {
    const fault = faults.find((f) => f.action === undefined || f.action === action);
    if (!fault) return undefined;
    fault.left -= 1;
    if (fault.left <= 0) faults = faults.filter((f) => f !== fault);
    return fault;
  }

  function delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          pendingDelays.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      pendingDelays.add(entry);
    });
  }

  /** Key, session token, expiry, then the signature itself: the caller's record when all hold. */
  function authenticate(signed: SignedRequest, auth: SigV4Auth, service: string): { caller: KeyRecord } | { error: AwsError } {
    const record = keys.lookup(auth.accessKeyId);
    const invalidToken = { error: awsError(403, 'InvalidClientTokenId', MESSAGES.invalidToken) };
    if (!record) return invalidToken;
    if (
      record.sessionToken === undefined
        ? auth.securityToken !== undefined
        : auth.securityToken === undefined || !sameSecret(auth.securityToken, record.sessionToken)
    ) {
      return invalidToken;
    }
    if (record.expiresAt !== undefined && record.expiresAt <= now()) return { error: awsError(403, 'ExpiredToken', MESSAGES.expiredToken) };
    const bad = checkSignature(signed, auth, record.secretAccessKey, { service, nowMs: now() });
    return bad ? { error: bad } : { caller: record };
  }

  /** The inline policies that apply to the caller: its role's for a role session, its (parent) IAM user's otherwise. */
  function callerPolicies(caller: KeyRecord) {
    const p = caller.principal;
    if (p.kind === 'assumed-role') return policies.all('role', roleName(p.roleArn));
    if (p.kind === 'user') return policies.all('user', p.userName);
    // A federated user's session is bounded by the IAM user that called GetFederationToken.
    const parent = sessionsByKey.get(caller.accessKeyId)?.callerArn;
    return parent ? policies.all('user', parent.slice(parent.lastIndexOf('/') + 1)) : [];
  }

  /**
   * IAM's explicit deny from the caller's identity policies, checked on every action the emulator serves
   * that IAM authorizes (all but sts:GetCallerIdentity, which AWS answers even under a Deny on *).
   */
  function identityDenial(caller: KeyRecord, action: string, resource: string): AwsError | undefined {
    if (action.toLowerCase() === 'sts:getcalleridentity') return undefined;
    const applying = callerPolicies(caller);
    if (applying.length === 0) return undefined;
    const context = principalContext(caller, sessionsByKey.get(caller.accessKeyId));
    if (!explicitlyDenied(applying, action, resource, context)) return undefined;
    return awsError(
      403,
      'AccessDenied',
      `User: ${caller.principal.arn} is not authorized to perform: ${action} on resource: ${resource} with an explicit deny in an identity-based policy`,
    );
  }

  function stsResource(action: string, params: Params): string {
    if (action === 'AssumeRole') return params.get('RoleArn') ?? '*';
    if (action === 'GetFederationToken') return `arn:aws:sts::${accountId}:federated-user/${params.get('Name') ?? ''}`;
    return '*';
  }

  function iamResource(caller: KeyRecord, params: Params): string {
    const role = params.get('RoleName');
    if (role !== undefined) return roles.byName(role)?.role.arn ?? `arn:aws:iam::${accountId}:role/${role}`;
    const user = params.get('UserName') ?? (caller.principal.kind === 'user' ? caller.principal.userName : undefined);
    return user === undefined ? '*' : `arn:aws:iam::${accountId}:user/${user}`;
  }

  function runSts(signed: SignedRequest, auth: SigV4Auth, params: Params, action: string, requestId: string): Reply {
    const who = authenticate(signed, auth, 'sts');
    if ('error' in who) return stsReply(who.error, requestId);
    const run = STS_ACTIONS.get(action);
    if (!action) return stsReply(awsError(400, 'MissingAction', 'Missing Action'), requestId);
    if (!run || params.get('Version') !== STS_VERSION) {
      return stsReply(
        awsError(400, 'InvalidAction', `Could not find operation ${action} for version ${params.get('Version') ?? 'NO_VERSION_SPECIFIED'}`),
        requestId,
      );
    }
    const denied = identityDenial(who.caller, `sts:${action}`, stsResource(action, params));
    if (denied) return stsReply(denied, requestId);
    const result = run({ accountId, nowMs: now(), caller: who.caller, keys, roles, params, requestId, messages, observe });
    if ('error' in result) return stsReply(result.error, requestId);
    return { status: 200, contentType: 'text/xml', body: result.body };
  }

  function runIam(signed: SignedRequest, auth: SigV4Auth, params: Params, action: string, requestId: string): Reply {
    const reply = (error: AwsError): Reply => ({
      status: error.status,
      contentType: 'text/xml',
      body: iamErrorXml(error, requestId),
      code: error.code,
    });
    const who = authenticate(signed, auth, 'iam');
    if ('error' in who) return reply(who.error);
    const run = IAM_ACTIONS.get(action);
    if (!run || params.get('Version') !== IAM_VERSION) {
      return reply(
        awsError(400, 'InvalidAction', `Could not find operation ${action} for version ${params.get('Version') ?? 'NO_VERSION_SPECIFIED'}`),
      );
    }
    const denied = identityDenial(who.caller, `iam:${action}`, iamResource(who.caller, params));
    if (denied) return reply(denied);
    const result = run({ nowMs: now(), caller: who.caller, keys, roles, policies, params, requestId });
    if ('error' in result) return reply(result.error);
    return { status: 200, contentType: 'text/xml', body: result.body };
  }

  function runSsm(signed: SignedRequest, auth: SigV4Auth, operation: string): Reply {
    const who = authenticate(signed, auth, 'ssm');
    if ('error' in who) return ssmReply(ssmAuthError(who.error));
    const ctx = { accountId, region: auth.scope.region, nowMs: now(), parameters, cipherKey };
    const denied = identityDenial(who.caller, `ssm:${operation}`, ssmResource(ctx, signed.body));
    // JSON-protocol services name it AccessDeniedException, status 400.
    if (denied) return ssmReply(awsError(400, 'AccessDeniedException', denied.message));
    const result = handleSsm(operation, signed.body, ctx);
    if ('error' in result) return ssmReply(result.error);
    return { status: 200, contentType: 'application/x-amz-json-1.1', body: JSON.stringify(result.body) };
  }

  async function route(
    req: IncomingMessage,
    requestId: string,
    note: (service: LocalStsCall['service'], action: string, accessKeyId?: string) => void,
  ): Promise<Reply> {
    const body = await readBody(req);
    if (body === undefined) return stsReply(awsError(413, 'RequestEntityTooLarge', 'Request body too large'), requestId);
    const signed: SignedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: rawHeaderPairs(req.rawHeaders), body };
    const target = headerValue(signed, 'x-amz-target');
    const json = target !== undefined;
    const params = json ? new Map<string, string>() : queryProtocolParams(signed);
    const action = json
      ? target.startsWith(SSM_TARGET_PREFIX)
        ? target.slice(SSM_TARGET_PREFIX.length)
        : target
      : (params.get('Action') ?? '');
    const parsed = parseSigV4(signed);
    // IAM and STS share the Query protocol: the signature's scope names the service.
    const service = json ? 'ssm' : 'auth' in parsed && parsed.auth.scope.service === 'iam' ? 'iam' : 'sts';
    note(service, action, 'auth' in parsed ? parsed.auth.accessKeyId : undefined);
    const fault = takeFault(action);
    if (fault) {
      if (fault.delayMs) await delay(fault.delayMs);
      const error = awsError(fault.status, fault.code, fault.message ?? `Injected fault: ${fault.code}`);
      return json ? ssmReply(error) : stsReply(error, requestId);
    }
    if ('error' in parsed) return json ? ssmReply(ssmAuthError(parsed.error)) : stsReply(parsed.error, requestId);
    if (json) return runSsm(signed, parsed.auth, action);
    return service === 'iam'
      ? runIam(signed, parsed.auth, params, action, requestId)
      : runSts(signed, parsed.auth, params, action, requestId);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const call: LocalStsCall = { service: 'sts', action: '', status: 0 };
    let reply: Reply;
    try {
      reply = await route(req, requestId, (service, action, accessKeyId) =>
        Object.assign(call, { service, action }, accessKeyId ? { accessKeyId } : {}),
      );
    } catch {
      // Never expose internals, as AWS does not.
      reply = stsReply(
        awsError(500, 'InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.'),
        requestId,
      );
    }
    call.status = reply.status;
    if (reply.code) call.code = reply.code;
    calls.push(call);
    if (!opts.quiet) {
      // Access key ids are not secret; secrets, tokens and bodies are never printed.
      console.log(
        `local STS ${call.action || '-'} ${reply.status}${reply.code ? ` ${reply.code}` : ''}${call.accessKeyId ? ` key=${call.accessKeyId}` : ''}`,
      );
    }
    if (res.destroyed) return;
    res.writeHead(reply.status, {
      'Content-Type': reply.contentType,
      'Content-Length': Buffer.byteLength(reply.body),
      'x-amzn-RequestId': requestId,
      // The emulator's clock, so SDKs correct their skew against it as they do against AWS.
      Date: new Date(now()).toUTCString(),
    });
    res.end(reply.body);
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    calls,
    resetCalls: () => void calls.splice(0, calls.length),
    sessions,
    // Copies, so a caller cannot edit the record tests read.
    sessionOf: (accessKeyId) => {
      const session = sessionsByKey.get(accessKeyId);
      return session && structuredClone(session);
    },
    putRole: (role) => roles.put(role),
    deleteRole: (arn) => {
      policies.dropEntity('role', roleName(arn));
      return roles.delete(arn);
    },
    advanceClock: (ms) => {
      clockOffsetMs += ms;
    },
    injectFault: (f) => void faults.push({ ...f, left: f.times ?? 1 }),
    clearFaults: () => {
      faults = [];
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const pending of pendingDelays) {
          clearTimeout(pending.timer);
          pending.resolve();
        }
        pendingDelays.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
