// SDK clients, created once per cold start and shared by every adapter.
// Region and endpoints come from the SDK's own environment variables.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { STSClient } from '@aws-sdk/client-sts';
import { config } from '../core/config';
import { DeadlineHttpHandler } from './deadline';

/**
 * Bounded waits: without throwOnRequestTimeout the SDK only warns and keeps waiting. Every attempt
 * also ends at the invocation's deadline (lib/aws/deadline.ts), so retries never outlast the Lambda.
 */
export const requestHandler = new DeadlineHttpHandler({
  connectionTimeout: config.awsTimeoutMs,
  requestTimeout: config.awsTimeoutMs,
  throwOnRequestTimeout: true,
});

export const dynamoClient = new DynamoDBClient({ maxAttempts: 3, requestHandler });

export const stsClient = new STSClient({ maxAttempts: 3, requestHandler });
