// GET /v1/health: liveness only, no AWS call (unauthenticated, so it must cost nothing).
// GET /v1/health/deep: DynamoDB and STS reachability, operators only, cached per warm instance.
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { dynamoClient, stsClient } from '../lib/aws/clients';
import { config } from '../lib/core/config';
import { NotFoundError } from '../lib/core/errors';
import { cachedHealthCheck, type HealthReport, LIVENESS } from '../lib/health/check';
import { type HttpRequest, type HttpResult, httpHandler } from '../lib/http/handler';
import type { Caller } from '../lib/identity/authenticate';
import { authenticator } from '../lib/wiring/directory';

export interface HealthDeps {
  authenticateOperator(authorization: string | undefined): Promise<Caller>;
  deepCheck(): Promise<HealthReport>;
}

/** Dispatches on the route key (both routes are one function). */
export function healthRoute(deps: HealthDeps) {
  return async (req: HttpRequest): Promise<HttpResult> => {
    switch (req.event.routeKey) {
      case 'GET /v1/health':
        return { statusCode: 200, body: LIVENESS };
      case 'GET /v1/health/deep': {
        await deps.authenticateOperator(req.header('authorization'));
        const report = await deps.deepCheck();
        return { statusCode: report.status === 'ok' ? 200 : 503, body: report };
      }
      default:
        throw new NotFoundError('route_not_found', 'No such route');
    }
  };
}

const probes = {
  dynamodb: () => dynamoClient.send(new GetItemCommand({ TableName: config.mainTable, Key: { pk: { S: 'HEALTH' }, sk: { S: 'HEALTH' } } })),
  sts: () => stsClient.send(new GetCallerIdentityCommand({})),
};

export const handler = httpHandler(
  healthRoute({
    authenticateOperator: (authorization) => authenticator.authenticate(authorization, { kinds: ['operator'] }),
    deepCheck: cachedHealthCheck(probes),
  }),
);
