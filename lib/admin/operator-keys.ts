// Operator keys. Operators create, list and revoke them through the API; the first one of a
// deployment is made by `npm run bootstrap` with the deployer's AWS credentials, since a fresh
// deployment has no key to call the API with.

import { ConflictError, NotFoundError } from '../core/errors';
import type { ApiKeyRecord } from '../core/model';
import type { Caller } from '../identity/authenticate';
import { assertOperator } from './access';
import { createApiKey, isKeyId, keySummary, newKeyBody } from './api-keys';
import type { AdminDeps, DirectoryWriter, PageRequest } from './ports';
import { readBack } from './views';

const OPERATORS = { kind: 'operator' } as const;

export async function createOperatorKey(deps: AdminDeps, caller: Caller) {
  assertOperator(caller);
  return newKeyBody(await createApiKey(deps.store, 'operator', {}, deps.now()));
}

export async function listOperatorKeys(deps: AdminDeps, caller: Caller, page: PageRequest) {
  assertOperator(caller);
  const out = await deps.store.listKeys(OPERATORS, page);
  return { items: out.items.map(keySummary), nextCursor: out.nextCursor };
}

/**
 * Revokes another operator key. The key the caller authenticated with is refused (409): that also
 * keeps the last active key, since the caller's own is active. Two operators revoking each other's
 * keys at once can still leave none; `npm run bootstrap` then makes a new one.
 */
export async function revokeOperatorKey(deps: AdminDeps, caller: Caller, keyId: string) {
  assertOperator(caller);
  if (!isKeyId(keyId)) throw new NotFoundError('not_found', 'Key not found');
  if (keyId === caller.keyId) {
    throw new ConflictError('own_operator_key', 'An operator key cannot revoke itself; revoke it with another operator key');
  }
  // Conditioned on the owner: a tenant's admin or partner key id answers 404.
  await deps.store.revokeKey(keyId, OPERATORS, deps.now().toISOString());
  deps.onRevocation?.();
  return keySummary(await readBack(deps.lookup.getKey(keyId)));
}

/** Every active operator key, all pages. */
export async function activeOperatorKeys(store: Pick<DirectoryWriter, 'listKeys'>): Promise<ApiKeyRecord[]> {
  const active: ApiKeyRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listKeys(OPERATORS, { limit: 100, cursor });
    active.push(...page.items.filter((k) => k.status === 'active'));
    cursor = page.nextCursor;
  } while (cursor);
  return active;
}

/**
 * The first operator key of a deployment, written straight to the table. Refused (409
 * operator_key_exists) while an active operator key exists, unless `add` asks for another one.
 */
export async function bootstrapOperatorKey(
  store: Pick<DirectoryWriter, 'listKeys' | 'createKey'>,
  opts: { add: boolean; now: Date },
): Promise<{ apiKey: string; record: ApiKeyRecord; othersActive: number }> {
  const active = await activeOperatorKeys(store);
  if (active.length > 0 && !opts.add) {
    throw new ConflictError(
      'operator_key_exists',
      `${active.length} active operator key(s) exist (${active.map((k) => k.keyId).join(', ')}); use one of them, or pass --add`,
    );
  }
  return { ...(await createApiKey(store, 'operator', {}, opts.now)), othersActive: active.length };
}
