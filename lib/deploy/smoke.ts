// The smoke test of a deployed stack (`npm run smoke`): health, a throwaway tenant bound to a role
// the operator names, its policy, a partner and key, one issuance whose credentials STS accepts
// (GetCallerIdentity), then the key revoked and the tenant disabled. There is no tenant delete in the
// API: the tenant stays, disabled, named smoke-<random>.
import { randomBytes } from 'node:crypto';
import { base32 } from '../core/base32';

export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** The fields of the API's answers the smoke test reads (the OpenAPI document has them all). */
interface Answer {
  version: number;
  apiKey: string;
  keyId: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  principal: { arn: string };
  error?: { code: string; message: string };
}

export interface SmokePorts {
  /** One API request with a key (`Bearer`), JSON in and out. */
  api(method: string, path: string, key: string | undefined, body?: unknown): Promise<ApiAnswer>;
  /** STS GetCallerIdentity signed with the issued credentials: the ARN STS sees. */
  callerIdentity(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string }): Promise<string>;
}

export interface SmokeOptions {
  operatorKey: string;
  roleArn: string;
  /** The role's MaxSessionDuration in IAM (the binding must not claim more). */
  roleMaxSessionDuration: number;
  /** Default: smoke-<8 random base32>. */
  tenantId?: string;
}

export class SmokeFailure extends Error {}

/** A deployed stack's answer must be `status`, else the step fails with the API's error code. */
function expectStatus(step: string, answer: ApiAnswer, status: number): Answer {
  const body = (answer.body ?? {}) as Answer;
  if (answer.status !== status) {
    const error = body.error;
    throw new SmokeFailure(`${step}: expected ${status}, got ${answer.status}${error ? ` ${error.code}: ${error.message}` : ''}`);
  }
  return body;
}

/** Runs every step, logging each; on failure the tenant (if created) is still disabled. Answers the tenant id. */
export async function runSmoke(ports: SmokePorts, opts: SmokeOptions, log: (line: string) => void): Promise<string> {
  const op = opts.operatorKey;
  const tenantId = opts.tenantId ?? `smoke-${base32(randomBytes(8))}`;
  const tenant = `/v1/tenants/${tenantId}`;
  const step = async (name: string, run: () => Promise<void>) => {
    await run();
    log(`ok  ${name}`);
  };
  let created = false;
  let partnerKeyPath: string | undefined;
  try {
    await step('GET /v1/health', async () => {
      expectStatus('health', await ports.api('GET', '/v1/health', undefined), 200);
    });
    await step(`create tenant ${tenantId}`, async () => {
      expectStatus('create tenant', await ports.api('POST', '/v1/tenants', op, { tenantId, name: 'credvend smoke test' }), 201);
      created = true;
    });
    await step(`bind role ${opts.roleArn}`, async () => {
      const binding = expectStatus('read binding', await ports.api('GET', `${tenant}/binding`, op), 200);
      const roles = { smoke: { roleArn: opts.roleArn, maxSessionDuration: opts.roleMaxSessionDuration } };
      expectStatus('bind role', await ports.api('PUT', `${tenant}/binding`, op, { expectedVersion: binding.version, roles }), 200);
    });
    await step('put policy', async () => {
      const policy = {
        defaultMode: 'assume-role',
        modes: { 'assume-role': { role: 'smoke', defaultDurationSeconds: 900, maxDurationSeconds: 900 } },
        // GetCallerIdentity needs no permission: the session may do nothing but an S3 read of a prefix of its own.
        statements: [
          {
            Sid: 'SmokeOnly',
            Effect: 'Allow',
            Action: 's3:GetObject',
            Resource: 'arn:aws:s3:::credvend-smoke-test/{{tenantId}}/{{partnerId}}/*',
          },
        ],
      };
      expectStatus('put policy', await ports.api('PUT', `${tenant}/policy`, op, { expectedVersion: 0, policy }), 200);
    });
    let partnerKey = '';
    await step('create partner smoke-app and its key', async () => {
      expectStatus('create partner', await ports.api('POST', `${tenant}/partners`, op, { partnerId: 'smoke-app', name: 'smoke' }), 201);
      const key = expectStatus('create key', await ports.api('POST', `${tenant}/partners/smoke-app/keys`, op, {}), 201);
      partnerKey = key.apiKey;
      partnerKeyPath = `${tenant}/partners/smoke-app/keys/${key.keyId}`;
    });
    await step('issue credentials and check them with STS GetCallerIdentity', async () => {
      const issued = expectStatus('issue', await ports.api('POST', '/v1/credentials', partnerKey, {}), 201);
      const arn = await ports.callerIdentity(issued.credentials);
      if (arn !== issued.principal.arn) throw new SmokeFailure(`STS sees ${arn}, credvend said ${issued.principal.arn}`);
      log(`    STS: ${arn}`);
    });
  } finally {
    // Clean up whatever was made, even after a failed step.
    if (partnerKeyPath) {
      const revoked = await ports.api('DELETE', partnerKeyPath, op);
      expectStatus('revoke key', revoked, 200);
      log('ok  revoke the partner key');
    }
    if (created) {
      expectStatus('disable tenant', await ports.api('POST', `${tenant}/disable`, op, {}), 200);
      log(`ok  disable tenant ${tenantId} (the API has no tenant delete)`);
    }
  }
  return tenantId;
}
