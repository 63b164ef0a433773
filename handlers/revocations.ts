// Revoking credentials already issued (POST/GET /v1/tenants/{tenantId}/revocations), and the partner
// routes that may revoke live sessions too (?revokeSessions=true): the one function with IAM grants.
// Its EventBridge schedule runs the sweep: expired statements pruned (or the policy verified), then
// pending revocations retried.
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { sweepRevocations } from '../lib/admin/revocations';
import { dispatchAdmin, REVOCATION_ROUTES } from '../lib/admin/routes';
import { withInvocationDeadline } from '../lib/aws/deadline';
import { runInvocation } from '../lib/core/invocation';
import { logger } from '../lib/core/log';
import { httpHandler } from '../lib/http/handler';
import { authenticator } from '../lib/wiring/directory';
import { revocationDeps } from '../lib/wiring/revocations';

const http = httpHandler((req) => dispatchAdmin(REVOCATION_ROUTES, revocationDeps, authenticator, req), { body: true });

/** EventBridge's scheduled event; an HTTP API event always has a routeKey. */
const isSchedule = (event: unknown): boolean =>
  typeof event === 'object' && event !== null && (event as { source?: unknown }).source === 'aws.events' && !('routeKey' in event);

async function sweep(context: Context) {
  const result = await withInvocationDeadline(context, () => sweepRevocations(revocationDeps));
  // EMF through the logger, as the issuance path does (powertools' Metrics needs the Lambda runtime's invoke store).
  logger.metric('RevocationsStillPending', result.retried - result.settled);
  logger.metric('RevocationPruneFailures', result.pruneFailures);
  logger.metric('RevocationPoliciesRepaired', result.entitiesRepaired);
  logger.info('revocation sweep', { ...result });
  return result;
}

export function handler(event: APIGatewayProxyEventV2, context: Context) {
  if (isSchedule(event)) return runInvocation({ requestId: context.awsRequestId }, () => sweep(context));
  return http(event, context);
}
