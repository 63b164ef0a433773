// decodeAuthorizationMessage over fakes: what reaches STS and the ledger, and when the answer is 404.
import { describe, expect, it } from '@jest/globals';
import { NotFoundError, RateLimitedError } from '../../../lib/core/errors';
import { decodeAuthorizationMessage, LOOKBACK_MS, MAX_LEDGER_RECORDS, namesPartner } from '../../../lib/decode/decode';
import type { DecodeDeps } from '../../../lib/decode/ports';
import { federationName, partnerIdentity, roleSessionName } from '../../../lib/vend/principal-names';
import { binding, PARTNER_ID, partner, TENANT_ID, tenant, tenantPolicy } from '../issuance-fakes';

const ACCOUNT = '123456789012';
const caller = { kind: 'partner' as const, keyId: 'pk-aaaaaaaaaaaaaaaa', tenantId: TENANT_ID, partnerId: PARTNER_ID };
const ownArn = `arn:aws:sts::${ACCOUNT}:assumed-role/acme/${roleSessionName(TENANT_ID, PARTNER_ID, 'abcd1234')}`;
const NOW = new Date('2026-12-03T00:00:00Z');

function message(arn: unknown): string {
  return JSON.stringify({ allowed: false, context: { principal: { id: 'AROA:x', arn }, action: 'ec2:RunInstances' } });
}

function deps(decoded: string | undefined, issued: boolean, overrides: Partial<DecodeDeps> = {}) {
  const ledgerCalls: unknown[][] = [];
  const stsCalls: string[] = [];
  const d: DecodeDeps = {
    directory: { getPartnerContext: async () => ({ tenant: tenant({ binding: binding() }), partner: partner(), policy: tenantPolicy() }) },
    decoder: {
      decode: async (m) => {
        stsCalls.push(m);
        return decoded;
      },
    },
    issuances: {
      issuedTo: async (...args) => {
        ledgerCalls.push(args);
        return issued;
      },
    },
    now: () => NOW,
    ...overrides,
  };
  return { d, ledgerCalls, stsCalls };
}

describe('decodeAuthorizationMessage', () => {
  it('answers the decoded message when the principal is named for the partner and the ledger holds it', async () => {
    const { d, ledgerCalls, stsCalls } = deps(message(ownArn), true);
    const out = await decodeAuthorizationMessage(d, caller, { encodedMessage: 'ENC' });
    expect(out).toEqual({ decodedMessage: JSON.parse(message(ownArn)), principal: { arn: ownArn } });
    expect(stsCalls).toEqual(['ENC']);
    expect(ledgerCalls).toEqual([[TENANT_ID, PARTNER_ID, ownArn, new Date(NOW.getTime() - LOOKBACK_MS).toISOString(), MAX_LEDGER_RECORDS]]);
  });

  it.each([
    ['STS cannot decode it', undefined, true],
    ['the decoded text is not JSON', 'not json', true],
    ['it names no principal', JSON.stringify({ context: {} }), true],
    ['the principal is not a string', message(42), true],
    ['the ledger does not hold the principal', message(ownArn), false],
  ])('404 when %s', async (_name, decoded, issued) => {
    const { d } = deps(decoded, issued);
    await expect(decodeAuthorizationMessage(d, caller, { encodedMessage: 'ENC' })).rejects.toThrow(NotFoundError);
  });

  it("404 for another partner's or tenant's principal without reading the ledger", async () => {
    for (const arn of [
      `arn:aws:sts::${ACCOUNT}:assumed-role/acme/${roleSessionName(TENANT_ID, 'partner-two', 'x')}`,
      `arn:aws:sts::${ACCOUNT}:assumed-role/acme/${roleSessionName('other', PARTNER_ID, 'x')}`,
      `arn:aws:sts::${ACCOUNT}:federated-user/${federationName('other', PARTNER_ID)}`,
      `arn:aws:iam::${ACCOUNT}:user/credvend-function`,
    ]) {
      const { d, ledgerCalls } = deps(message(arn), true);
      await expect(decodeAuthorizationMessage(d, caller, { encodedMessage: 'ENC' })).rejects.toThrow(NotFoundError);
      expect(ledgerCalls).toEqual([]);
    }
  });

  it('counts against the partner rate limit before calling STS', async () => {
    const { d, stsCalls } = deps(message(ownArn), true, {
      partnerRateCeilingPerMinute: 60,
      rateLimiter: {
        consume: async () => {
          throw new RateLimitedError('rate_limited', 'slow down', { retryAfterSeconds: 1 });
        },
      },
    });
    await expect(decodeAuthorizationMessage(d, caller, { encodedMessage: 'ENC' })).rejects.toThrow(RateLimitedError);
    expect(stsCalls).toEqual([]);
  });
});

describe('namesPartner', () => {
  it('accepts the partner’s assume-role session names and federation names only', () => {
    const id = partnerIdentity(TENANT_ID, PARTNER_ID);
    const fed = federationName(TENANT_ID, PARTNER_ID);
    expect(namesPartner(`arn:aws:sts::${ACCOUNT}:assumed-role/r/${id}.suffix`, TENANT_ID, PARTNER_ID)).toBe(true);
    expect(namesPartner(`arn:aws:sts::${ACCOUNT}:federated-user/${fed}`, TENANT_ID, PARTNER_ID)).toBe(true);
    expect(namesPartner(`arn:aws:sts::${ACCOUNT}:federated-user/${fed}-abc`, TENANT_ID, PARTNER_ID)).toBe(true);
    // The fixed part without its dot, the identity later in the name, an IAM role ARN, a federation name extended without a dash.
    expect(namesPartner(`arn:aws:sts::${ACCOUNT}:assumed-role/r/${id}`, TENANT_ID, PARTNER_ID)).toBe(false);
    expect(namesPartner(`arn:aws:sts::${ACCOUNT}:assumed-role/r/x.${id}.y`, TENANT_ID, PARTNER_ID)).toBe(false);
    expect(namesPartner(`arn:aws:iam::${ACCOUNT}:role/${id}.y`, TENANT_ID, PARTNER_ID)).toBe(false);
    expect(namesPartner(`arn:aws:sts::${ACCOUNT}:federated-user/${fed}x`, TENANT_ID, PARTNER_ID)).toBe(false);
  });
});
