// The response bodies of an issuance (DESIGN.md "Issue response").
import { isoSeconds, sdkCredentials, serializeCredentials } from './credential-formats';
import type { IssueResult } from './issue';

export function issueResponseBody(result: IssueResult, serverTime: Date) {
  const { record, credentials } = result;
  return {
    issuanceId: record.issuanceId,
    tenantId: record.tenantId,
    partnerId: record.partnerId,
    mode: record.mode,
    credentials: sdkCredentials(credentials),
    serialized: serializeCredentials(credentials),
    principal: { arn: credentials.principalArn, id: credentials.principalId },
    packedPolicySize: credentials.packedPolicySize,
    policyVersion: record.policyVersion,
    serverTime: isoSeconds(serverTime),
    refreshAfter: isoSeconds(result.refreshAfter),
  };
}
