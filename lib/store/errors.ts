import { DependencyUnavailableError } from '../errors';

/** True when a conditional write lost (the only DynamoDB error the domain reacts to). */
export function isConditionFailure(err: unknown): boolean {
  const name = (err as { name?: string } | undefined)?.name;
  return name === 'ConditionalCheckFailedException' || name === 'TransactionCanceledException';
}

/** Every other DynamoDB failure is the dependency being unavailable to us: 503, cause kept for the log. */
export function dynamoUnavailable(err: unknown, action: string): DependencyUnavailableError {
  return new DependencyUnavailableError('dynamodb_unavailable', `The data store is unavailable (${action})`, {
    cause: err,
    retryAfterSeconds: 1,
  });
}
