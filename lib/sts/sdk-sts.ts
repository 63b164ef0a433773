// The STS adapter: the only code that calls STS, and the one place STS errors become ours.
import { AssumeRoleCommand, type Credentials, GetFederationTokenCommand, type STSClient } from '@aws-sdk/client-sts';
import { DependencyUnavailableError, UnprocessableError, UpstreamRefusedError } from '../core/errors';
import { logger } from '../core/log';
import type { AssumeRoleRequest, FederationRequest } from '../policy/sts-limits';
import type { IssuedCredentials, StsPort } from '../vend/ports';

function sessionTags(tags: Record<string, string>) {
  const list = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  return list.length ? list : undefined;
}

/** Maps an STS failure (after the SDK's own retries with backoff) to the contract's statuses. */
export function translateStsError(err: unknown): Error {
  const name = (err as { name?: string } | undefined)?.name ?? 'Error';
  const message = (err as { message?: string } | undefined)?.message ?? '';
  switch (name) {
    case 'MalformedPolicyDocument':
    case 'MalformedPolicyDocumentException':
      return new UnprocessableError('sts_malformed_policy', `STS refused the session policy: ${message}`);
    case 'PackedPolicyTooLarge':
    case 'PackedPolicyTooLargeException':
      return new UnprocessableError(
        'sts_packed_policy_too_large',
        'The session policy and tags are too large once packed by STS; narrow the scope or drop tags',
        { details: [{ limit: 'PackedPolicySize', message }] },
      );
    case 'ValidationError':
      return new UnprocessableError('sts_validation_error', `STS refused the request: ${message}`);
    case 'RegionDisabledException':
      return new UpstreamRefusedError('sts_region_disabled', 'STS is not activated in this region for the account', { cause: err });
    case 'AccessDenied':
    case 'AccessDeniedException':
      return new UpstreamRefusedError('sts_access_denied', 'STS denied the request (check the role trust policy)', { cause: err });
    case 'InvalidClientTokenId':
    case 'SignatureDoesNotMatch':
      return new UpstreamRefusedError('sts_credentials_rejected', "STS rejected the service's own credentials", { cause: err });
    case 'Throttling':
    case 'ThrottlingException':
      return new DependencyUnavailableError('sts_throttled', 'STS is throttling requests; retry later', {
        cause: err,
        retryAfterSeconds: 2,
      });
    default:
      // ExpiredToken, 5xx, timeouts, network errors: STS is unavailable to us right now.
      return new DependencyUnavailableError('sts_unavailable', 'STS is unavailable; retry later', {
        cause: err,
        retryAfterSeconds: 1,
      });
  }
}

function toIssued(credentials: Credentials | undefined, principalArn?: string, principalId?: string, packed?: number): IssuedCredentials {
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken || !credentials.Expiration) {
    throw new DependencyUnavailableError('sts_unavailable', 'STS answered without credentials');
  }
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
    expiration: credentials.Expiration,
    principalArn: principalArn ?? '',
    principalId: principalId ?? '',
    packedPolicySize: packed ?? 0,
  };
}

/** STS did not accept the signing keys themselves (not a permission): rotated, deactivated or deleted. */
const REJECTED_KEYS = new Set(['InvalidClientTokenId', 'SignatureDoesNotMatch', 'UnrecognizedClientException']);

export class SdkSts implements StsPort {
  /**
   * @param roleClient signs AssumeRole with the function's own role.
   * @param federationClient signs GetFederationToken with long-term IAM-user keys (STS refuses role credentials);
   *   its `forget`, when it has one, is told of a client whose keys STS rejected.
   */
  constructor(
    private readonly roleClient: STSClient,
    private readonly federationClient: (() => Promise<STSClient>) & { forget?(client: STSClient): void },
  ) {}

  async getFederationToken(req: FederationRequest): Promise<IssuedCredentials> {
    const client = await this.federationClient();
    try {
      const out = await client.send(
        new GetFederationTokenCommand({
          Name: req.name,
          DurationSeconds: req.durationSeconds,
          Policy: req.policy,
          PolicyArns: req.policyArns.length ? req.policyArns.map((arn) => ({ arn })) : undefined,
          Tags: sessionTags(req.tags),
        }),
      );
      return toIssued(out.Credentials, out.FederatedUser?.Arn, out.FederatedUser?.FederatedUserId, out.PackedPolicySize);
    } catch (err) {
      if (REJECTED_KEYS.has((err as { name?: string } | undefined)?.name ?? '')) {
        // This request fails (502); the next one reads the keys from SSM again.
        logger.warn('STS rejected the federation keys; they are read again on the next request', { error: (err as Error).name });
        this.federationClient.forget?.(client);
      }
      throw translateStsError(err);
    }
  }

  async assumeRole(req: AssumeRoleRequest): Promise<IssuedCredentials> {
    try {
      const out = await this.roleClient.send(
        new AssumeRoleCommand({
          RoleArn: req.roleArn,
          RoleSessionName: req.roleSessionName,
          DurationSeconds: req.durationSeconds,
          Policy: req.policy,
          PolicyArns: req.policyArns.length ? req.policyArns.map((arn) => ({ arn })) : undefined,
          ExternalId: req.externalId,
          SourceIdentity: req.sourceIdentity,
          Tags: sessionTags(req.tags),
          TransitiveTagKeys: req.transitiveTagKeys.length ? req.transitiveTagKeys : undefined,
        }),
      );
      return toIssued(out.Credentials, out.AssumedRoleUser?.Arn, out.AssumedRoleUser?.AssumedRoleId, out.PackedPolicySize);
    } catch (err) {
      throw translateStsError(err);
    }
  }
}
