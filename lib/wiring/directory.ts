// Composition root for key and directory access, built once per cold start.
import { dynamoClient } from '../aws/clients';
import { config } from '../core/config';
import { Authenticator } from '../identity/authenticate';
import { CachedDirectory } from '../store/cached-directory';
import { DynamoDirectory } from '../store/directory';

export const directory = new CachedDirectory(new DynamoDirectory(dynamoClient, config.mainTable), config.cacheTtlSeconds * 1000);

export const authenticator = new Authenticator(directory, config.keyLastUsedIntervalSeconds * 1000);
