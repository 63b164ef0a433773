// dynalite: a DynamoDB on this machine, in memory unless a path is given.
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { createTables } from './tables';

export interface LocalDynamo {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startLocalDynamo(opts: { port?: number; host?: string; path?: string } = {}): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path: opts.path });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A client for the local DynamoDB; any credentials do, dynalite does not check them. */
export function localDynamoClient(url: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** Starts dynalite and creates every table declared in serverless.yml for `stage`. */
export async function startLocalDynamoWithTables(stage: string, opts: { port?: number; path?: string } = {}) {
  const dynamo = await startLocalDynamo(opts);
  const client = localDynamoClient(dynamo.url);
  try {
    await createTables(client, stage);
  } finally {
    client.destroy();
  }
  return dynamo;
}
