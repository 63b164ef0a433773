// Authentication: turns an Authorization header into a caller, or refuses with 401/403.
import { ForbiddenError, UnauthorizedError } from '../core/errors';
import { logger } from '../core/log';
import type { KeyKind } from '../core/model';
import { keyFromAuthorization, kindOfKeyId, parseKey, secretMatches } from './api-key';
import type { KeyDirectory } from './ports';

export interface Caller {
  kind: KeyKind;
  keyId: string;
  tenantId?: string;
  partnerId?: string;
  /** Set when an OIDC token authenticated the caller (keyId is then `oidc.<identityId>`): who the token named. */
  webIdentity?: { issuer: string; subject: string; identityId: string; tokenId?: string };
  /** Session tags from the token's claims (`oidc:<claim>`), for token-authenticated partners only; never stored. */
  claimTags?: Record<string, string>;
}

export interface AuthOptions {
  /** Key kinds this route serves; any other valid key gets 403. */
  kinds: readonly KeyKind[];
  /** Accept the key without "Bearer " (the container-credentials route: SDKs send the token verbatim). */
  allowBare?: boolean;
}

export class Authenticator {
  /** When this container last recorded each key's use, so the write happens once per interval at most. */
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly directory: KeyDirectory,
    private readonly lastUsedIntervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async authenticate(authorization: string | undefined, options: AuthOptions): Promise<Caller> {
    const apiKey = keyFromAuthorization(authorization, options.allowBare);
    if (!apiKey) throw new UnauthorizedError('missing_key', 'An API key is required (Authorization: Bearer <key>)');
    const parsed = parseKey(apiKey);
    if (!parsed) throw new UnauthorizedError('invalid_key', 'The API key is malformed');

    const record = await this.directory.getKey(parsed.keyId);
    // One answer for unknown, revoked and wrong-secret keys: nothing to learn by probing.
    if (record?.status !== 'active' || !secretMatches(parsed.secret, record.secretHash)) {
      throw new UnauthorizedError('invalid_key', 'The API key is not valid');
    }
    if (kindOfKeyId(record.keyId) !== record.kind) throw new UnauthorizedError('invalid_key', 'The API key is not valid');
    if (!options.kinds.includes(record.kind)) {
      throw new ForbiddenError('wrong_key_kind', `This route does not accept ${record.kind} keys`);
    }
    await this.recordUse(record.keyId, record.lastUsedAt);
    return { kind: record.kind, keyId: record.keyId, tenantId: record.tenantId, partnerId: record.partnerId };
  }

  /** Best effort: a failed last-used write never fails the request. */
  private async recordUse(keyId: string, lastUsedAt: string | undefined): Promise<void> {
    const now = this.now();
    const known = Math.max(this.lastTouched.get(keyId) ?? 0, lastUsedAt ? Date.parse(lastUsedAt) : 0);
    if (now - known < this.lastUsedIntervalMs) return;
    this.lastTouched.set(keyId, now);
    try {
      await this.directory.touchKey(keyId, new Date(now).toISOString(), new Date(now - this.lastUsedIntervalMs).toISOString());
    } catch (err) {
      logger.warn('could not record key use', { keyId, error: (err as Error).name });
    }
  }
}
