// POST /v1/authorization-messages/decode through the real stack: serverless-offline, dynalite and the
// local STS, whose AccessDenied answers carry encoded messages it alone can decode. A partner gets the
// decoded message about its own session; a message about another tenant's or partner's session, about
// a principal credvend never issued (even one named like the partner's sessions), or no message at all
// answers the same 404.
import { AssumeRoleCommand, DecodeAuthorizationMessageCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeAuthorizationMessage as clientDecode, extractEncodedMessage, parseCredentials } from '../../../client';
import { partnerIdentity } from '../../../lib/vend/principal-names';
import { addTestPartner, call, closeTables, createTestTenant, stackInfo, type TestTenant } from '../../support/api';
import { recordSecrets } from '../../support/secret-scan';

interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

const sts = (credentials: Creds) => new STSClient({ endpoint: stackInfo().stsUrl, region: 'us-east-1', credentials, maxAttempts: 1 });

const functionCreds = (): Creds => ({
  accessKeyId: stackInfo().env.AWS_ACCESS_KEY_ID!,
  secretAccessKey: stackInfo().env.AWS_SECRET_ACCESS_KEY!,
});

/** The AccessDenied these credentials get assuming a role that does not trust them, and its encoded message. */
async function deniedMessage(creds: Creds, roleArn = stackInfo().demoRoleArn): Promise<string> {
  try {
    await sts(creds).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'decode-test' }));
  } catch (err) {
    expect((err as Error).name).toBe('AccessDenied');
    return extractEncodedMessage((err as Error).message);
  }
  throw new Error('AssumeRole was not denied');
}

async function issued(tenant: { partnerKey: string }): Promise<{ creds: Creds; principalArn: string }> {
  const res = await call('POST', '/v1/credentials', { key: tenant.partnerKey, body: {} });
  expect(res.status).toBe(201);
  // The API's credentials carry expiration as a string, which SDK v3 cannot use: parseCredentials makes it a Date.
  return { creds: parseCredentials(res.body), principalArn: res.body.principal.arn as string };
}

const decode = (partnerKey: string, encodedMessage: unknown) =>
  call('POST', '/v1/authorization-messages/decode', { key: partnerKey, body: { encodedMessage } });

let a: TestTenant;
let b: TestTenant;
let aSession: { creds: Creds; principalArn: string };
let aMessage: string;
let bMessage: string;

beforeAll(async () => {
  [a, b] = await Promise.all([createTestTenant(), createTestTenant()]);
  aSession = await issued(a);
  aMessage = await deniedMessage(aSession.creds);
  bMessage = await deniedMessage((await issued(b)).creds);
});
afterAll(() => closeTables());

describe('the local STS', () => {
  it('puts an encoded message in AccessDenied that DecodeAuthorizationMessage reads back, naming the denied principal', async () => {
    const out = await sts(functionCreds()).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: aMessage }));
    const decoded = JSON.parse(out.DecodedMessage ?? '{}');
    expect(decoded).toMatchObject({ allowed: false, context: { principal: { arn: aSession.principalArn }, action: 'sts:AssumeRole' } });
  });

  it('refuses a message it did not encode', async () => {
    const forged = `${aMessage.slice(0, -4)}AAAA`;
    await expect(sts(functionCreds()).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: forged }))).rejects.toMatchObject({
      name: 'InvalidAuthorizationMessageException',
    });
  });
});

describe('POST /v1/authorization-messages/decode', () => {
  it("decodes a message about the caller's own session", async () => {
    const res = await decode(a.partnerKey, aMessage);
    expect(res.status).toBe(200);
    expect(res.body.principal).toEqual({ arn: aSession.principalArn });
    expect(res.body.decodedMessage).toMatchObject({ allowed: false, context: { principal: { arn: aSession.principalArn } } });
    // The decoded message carries no credential.
    expect(res.text).not.toContain(aSession.creds.secretAccessKey);
    expect(res.text).not.toContain(aSession.creds.sessionToken);
  });

  it("refuses 404 a message about another tenant's session, both ways", async () => {
    for (const [key, message] of [
      [a.partnerKey, bMessage],
      [b.partnerKey, aMessage],
    ] as const) {
      const res = await decode(key, message);
      expect([res.status, res.body.error?.code]).toEqual([404, 'not_found']);
      expect(res.text).not.toContain('decodedMessage');
    }
  });

  it("refuses 404 a message about another partner's session of the same tenant", async () => {
    const other = await addTestPartner(a.tenantId);
    const res = await decode(other.partnerKey, aMessage);
    expect([res.status, res.body.error?.code]).toEqual([404, 'not_found']);
  });

  it('refuses 404 principals credvend never issued: its own identity, and a session named like the partner’s but not in the ledger', async () => {
    const own = await decode(a.partnerKey, await deniedMessage(functionCreds(), 'arn:aws:iam::000000000000:role/credvend/nonexistent'));
    expect([own.status, own.body.error?.code]).toEqual([404, 'not_found']);

    // Credentials for a session whose name carries partner A's identity, made directly at STS (as an
    // attacker able to call AssumeRole could), so the name check passes and only the ledger refuses.
    const forged = await sts(functionCreds()).send(
      new AssumeRoleCommand({
        RoleArn: stackInfo().demoRoleArn,
        RoleSessionName: `${partnerIdentity(a.tenantId, a.partnerId)}.forged`,
        ExternalId: stackInfo().demoExternalId,
        DurationSeconds: 900,
      }),
    );
    const c = forged.Credentials!;
    recordSecrets([c.SecretAccessKey!, c.SessionToken!]);
    expect(forged.AssumedRoleUser?.Arn).toContain(partnerIdentity(a.tenantId, a.partnerId));
    const message = await deniedMessage({
      accessKeyId: c.AccessKeyId!,
      secretAccessKey: c.SecretAccessKey!,
      sessionToken: c.SessionToken!,
    });
    const res = await decode(a.partnerKey, message);
    expect([res.status, res.body.error?.code]).toEqual([404, 'not_found']);
  });

  it('answers an undecodable message the same 404, and a malformed body 400', async () => {
    const garbled = await decode(a.partnerKey, `${aMessage.slice(0, -4)}AAAA`);
    expect([garbled.status, garbled.body.error?.code]).toEqual([404, 'not_found']);
    for (const bad of ['', 'has spaces in it', 42, 'x'.repeat(10_241)]) {
      const res = await decode(a.partnerKey, bad);
      expect([res.status, res.body.error?.code]).toEqual([400, 'invalid_request']);
    }
    const extra = await call('POST', '/v1/authorization-messages/decode', { key: a.partnerKey, body: { encodedMessage: aMessage, x: 1 } });
    expect([extra.status, extra.body.error?.code]).toEqual([400, 'invalid_request']);
  });

  it('takes partner keys only', async () => {
    const res = await decode(a.adminKey, aMessage);
    expect([res.status, res.body.error?.code]).toEqual([403, 'wrong_key_kind']);
    expect((await call('POST', '/v1/authorization-messages/decode', { body: { encodedMessage: aMessage } })).status).toBe(401);
  });

  it('the client decodes the whole AccessDenied text', async () => {
    const text = `An error occurred (AccessDenied) when calling the AssumeRole operation: User: x is not authorized. Encoded authorization failure message: ${aMessage}\n`;
    const out = await clientDecode({ endpoint: process.env.CREDVEND_TEST_API!, apiKey: a.partnerKey, env: {} }, text);
    expect(out.principal.arn).toBe(aSession.principalArn);
  });
});
