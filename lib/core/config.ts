// All configuration comes from the environment, read once per cold start.
// AWS endpoints are NOT here: the SDK reads AWS_ENDPOINT_URL_* itself (DESIGN invariant 6).

export interface Config {
  stage: string;
  mainTable: string;
  issuanceTable: string;
  /** How long tenant policies and keys stay cached in a warm Lambda; bounds the revocation delay. */
  cacheTtlSeconds: number;
  /** SSM SecureString holding the federation IAM user's keys as JSON {accessKeyId, secretAccessKey}. */
  federationCredentialsParameter?: string;
  /** Issuance records are deleted by DynamoDB TTL this long after they expire. */
  issuanceRetentionDays: number;
  maxBodyBytes: number;
  /** Last-used time of a key is written at most once per this many seconds. */
  keyLastUsedIntervalSeconds: number;
  awsTimeoutMs: number;
  /** ARN pattern every bound role must match; the function may assume only these (serverless.yml). */
  tenantRolePattern: string;
  /** The principal tenant roles must trust: the issuing function's role (its ARN in AWS). */
  issuerPrincipalArn?: string;
  /** The issuing functions' role name, for a function (the admin API) that runs under another role. */
  issuerRoleName?: string;
  /** The federation IAM user, on which revocations of federated sessions are written (the revocations function). */
  federationUserName?: string;
  /** Issuances per minute any one partner may make, whatever its tenant allows: bounds what one partner takes of STS and Lambda. */
  partnerRateCeilingPerMinute: number;
  /** Local stages only (serverless.yml custom.oidcLocal): OIDC issuers on http://localhost, the local issuer's. */
  oidcAllowLoopbackHttp: boolean;
  /** An unknown `kid` fetches an issuer's keys again at most this often (the integration suite shortens it). */
  oidcRefetchIntervalSeconds: number;
  /**
   * Local stages only (read only where loopback issuers are allowed): `OIDC_LOCAL_HOSTS`,
   * `name=address,…`, fixed DNS answers for the OIDC fetches, so the integration suite can make a
   * name resolve to an internal address and see the fetch refused.
   */
  oidcLocalHosts?: string;
}

/** An integer setting from the environment, within bounds, or the fallback when unset. */
export function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`${name} must be an integer between ${min} and ${max}`);
  }
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const stage = env.STAGE ?? 'dev';
  return {
    stage,
    mainTable: env.MAIN_TABLE ?? `credvend-${stage}-main`,
    issuanceTable: env.ISSUANCE_TABLE ?? `credvend-${stage}-issuances`,
    cacheTtlSeconds: intFrom(env, 'CACHE_TTL_SECONDS', 15, 0, 30),
    federationCredentialsParameter: env.FEDERATION_CREDENTIALS_PARAMETER || undefined,
    issuanceRetentionDays: intFrom(env, 'ISSUANCE_RETENTION_DAYS', 400, 1, 3650),
    maxBodyBytes: intFrom(env, 'MAX_BODY_BYTES', 16384, 1024, 1048576),
    keyLastUsedIntervalSeconds: intFrom(env, 'KEY_LAST_USED_INTERVAL_SECONDS', 300, 0, 86400),
    awsTimeoutMs: intFrom(env, 'AWS_TIMEOUT_MS', 3000, 100, 30000),
    tenantRolePattern: env.TENANT_ROLE_PATTERN || 'arn:aws:iam::*:role/credvend/*',
    issuerPrincipalArn: env.ISSUER_PRINCIPAL_ARN || undefined,
    issuerRoleName: env.ISSUER_ROLE_NAME || undefined,
    federationUserName: env.FEDERATION_USER_NAME || undefined,
    partnerRateCeilingPerMinute: intFrom(env, 'PARTNER_RATE_CEILING_PER_MINUTE', 6000, 1, 1_000_000),
    oidcAllowLoopbackHttp: env.OIDC_ALLOW_LOOPBACK_HTTP === 'true',
    oidcRefetchIntervalSeconds: intFrom(env, 'OIDC_REFETCH_INTERVAL_SECONDS', 60, 1, 3600),
    oidcLocalHosts: env.OIDC_ALLOW_LOOPBACK_HTTP === 'true' ? env.OIDC_LOCAL_HOSTS : undefined,
  };
}

export const config: Config = loadConfig();

/**
 * The SSM SecureString holding the 32-byte AES-256-GCM key (base64) that seals MFA seeds at rest
 * (issue 19). Apart from Config: only the admin API and the lazily loaded MFA module read it, so the
 * vend handler module does not carry it.
 */
export function mfaSeedKeyParameter(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.MFA_SEED_KEY_PARAMETER || undefined;
}
