// The document client for the admin API and the expiry audit. Kept apart from clients.ts so the
// vend path (plain client + util-dynamodb) does not bundle it.
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from './clients';

export const documentClient = DynamoDBDocumentClient.from(dynamoClient, {
  marshallOptions: { removeUndefinedValues: true },
});
