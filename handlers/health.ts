import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { dynamoClient, stsClient } from '../lib/aws/clients';
import { config } from '../lib/core/config';
import { checkHealth } from '../lib/health/check';
import { httpHandler } from '../lib/http/handler';

const probes = {
  dynamodb: () => dynamoClient.send(new GetItemCommand({ TableName: config.mainTable, Key: { pk: { S: 'HEALTH' }, sk: { S: 'HEALTH' } } })),
  sts: () => stsClient.send(new GetCallerIdentityCommand({})),
};

export const handler = httpHandler(async () => {
  const report = await checkHealth(probes);
  return { statusCode: report.status === 'ok' ? 200 : 503, body: report };
});
