// The benchmark's baseline: the least a credential vendor can do per request. JSON in, one STS
// AssumeRole, one DynamoDB PutItem of the issuance record, JSON out — default SDK clients, no
// middleware, no validation, no authentication, no cache. The vend handler is measured against it.
//
// Same work at the far end as the vend path, so the ratios measure the handler and not STS or
// DynamoDB: the bench passes in (BASELINE_*) the very role, external id, session policy text, tags
// and source identity the vend path sends for the demo partner, and the record carries the same attributes
// (index keys included: the table maintains the same three indexes for it).
import { createHash, randomUUID } from 'node:crypto';
import { type AttributeValue, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

const sts = new STSClient({});
const dynamo = new DynamoDBClient({});

const table = process.env.ISSUANCE_TABLE ?? '';
const roleArn = process.env.BASELINE_ROLE_ARN ?? '';
const externalId = process.env.BASELINE_EXTERNAL_ID || undefined;
const tenantId = process.env.BASELINE_TENANT ?? '';
const partnerId = process.env.BASELINE_PARTNER ?? '';
const keyId = process.env.BASELINE_KEY_ID ?? '';
const policy = process.env.BASELINE_SESSION_POLICY ?? '';
const policySha256 = createHash('sha256').update(policy, 'utf8').digest('hex');
const retentionSeconds = 400 * 86_400;

const s = (value: string): AttributeValue => ({ S: value });
const n = (value: number): AttributeValue => ({ N: String(value) });

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const request = JSON.parse(event.body ?? '{}') as { durationSeconds?: number; sessionName?: string };
  const issuanceId = randomUUID();
  const durationSeconds = request.durationSeconds ?? 900;
  const sessionName = request.sessionName ?? `${partnerId}.${issuanceId.slice(0, 12)}`;

  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: roleArn,
      RoleSessionName: sessionName,
      DurationSeconds: durationSeconds,
      Policy: policy,
      ExternalId: externalId,
      SourceIdentity: partnerId,
      Tags: [
        { Key: 'tenant', Value: tenantId },
        { Key: 'partner', Value: partnerId },
      ],
      TransitiveTagKeys: ['tenant', 'partner'],
    }),
  );
  const credentials = out.Credentials!;
  const expiresAt = credentials.Expiration!.toISOString();
  const issuedAt = new Date().toISOString();

  await dynamo.send(
    new PutItemCommand({
      TableName: table,
      Item: {
        pk: s(`TENANT#${tenantId}`),
        sk: s(`${issuedAt}#${issuanceId}`),
        partnerKey: s(`${tenantId}#${partnerId}`),
        statusKey: s(`${tenantId}#active`),
        expiryBucket: s(expiresAt.slice(0, 13)),
        expirySk: s(`${expiresAt}#${issuanceId}`),
        issuanceId: s(issuanceId),
        tenantId: s(tenantId),
        partnerId: s(partnerId),
        keyId: s(keyId),
        mode: s('assume-role'),
        accessKeyId: s(credentials.AccessKeyId!),
        principalArn: s(out.AssumedRoleUser?.Arn ?? ''),
        principalId: s(out.AssumedRoleUser?.AssumedRoleId ?? ''),
        sourceIdentity: s(partnerId),
        policyVersion: n(1),
        policySha256: s(policySha256),
        durationSeconds: n(durationSeconds),
        issuedAt: s(issuedAt),
        expiresAt: s(expiresAt),
        sourceIp: s(event.requestContext.http.sourceIp),
        userAgent: s(event.headers['user-agent'] ?? ''),
        requestId: s(event.requestContext.requestId),
        status: s('active'),
        ttl: n(Math.floor(Date.parse(expiresAt) / 1000) + retentionSeconds),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );

  return {
    statusCode: 201,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify({
      issuanceId,
      credentials: {
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        sessionToken: credentials.SessionToken,
        expiration: expiresAt,
      },
      principal: { arn: out.AssumedRoleUser?.Arn, id: out.AssumedRoleUser?.AssumedRoleId },
      packedPolicySize: out.PackedPolicySize,
      serverTime: issuedAt,
    }),
  };
}
