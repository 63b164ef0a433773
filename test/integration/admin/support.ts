// Helpers for the admin API tests: every response is checked against the OpenAPI document.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createApiKey } from '../../../lib/admin/api-keys';
import { tableKeys } from '../../../lib/core/table-keys';
import { DynamoDirectoryAdmin } from '../../../lib/store/directory-admin';
import { type ApiResponse, call, tables } from '../../support/api';
import { assertMatchesOpenApi } from '../../support/openapi';
import { apiKeySecret, recordSecrets } from '../../support/secret-scan';

export type ApiOptions = Parameters<typeof call>[2];

/** call(), plus: the response must be one the OpenAPI document describes for this route and status. */
export async function api<T = any>(method: string, path: string, opts: ApiOptions = {}): Promise<ApiResponse<T>> {
  const res = await call<T>(method, path, opts);
  assertMatchesOpenApi(method, path, res.status, res.body);
  return res;
}

export function directoryAdmin(): DynamoDirectoryAdmin {
  const { client, main } = tables();
  return new DynamoDirectoryAdmin(client, main);
}

/** A key written straight to the table, as the seed does (operators have no API to create them). */
export async function newKey(kind: 'operator' | 'admin' | 'partner', owner: { tenantId?: string; partnerId?: string } = {}) {
  const created = await createApiKey(directoryAdmin(), kind, owner);
  recordSecrets([apiKeySecret(created.apiKey)]);
  return { apiKey: created.apiKey, keyId: created.record.keyId };
}

/** Revokes a key in the table; never used before, so no cache anywhere holds it as active. */
export async function revokedKey(kind: 'admin' | 'partner', owner: { tenantId: string; partnerId?: string }) {
  const key = await newKey(kind, owner);
  const { client, main } = tables();
  await client.send(
    new UpdateCommand({
      TableName: main,
      Key: tableKeys.apiKey(key.keyId),
      UpdateExpression: 'SET #s = :revoked, revokedAt = :at',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':revoked': 'revoked', ':at': new Date().toISOString() },
    }),
  );
  return key;
}

/** Past the cache TTL of the integration stack (CACHE_TTL_SECONDS=1). */
export const pastCacheTtl = () => new Promise((resolve) => setTimeout(resolve, 1200));

/** Every item of a paginated list route, following nextCursor. */
export async function listAll<T = any>(path: string, key: string, limit: number): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await api('GET', `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { key });
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.text}`);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    pages++;
  } while (cursor && pages < 100);
  return { items, pages };
}
