// API key creation and the shapes keys leave the service in. The secret is returned once, at
// creation; every other view of a key is built from an allowlist that cannot include its hash.

import type { ApiKeyRecord, KeyKind } from '../core/model';
import { generateKey } from '../identity/api-key';
import type { DirectoryWriter } from './ports';

/** A key id as generateKey makes them: kind prefix, dash, 16 base32 characters. */
const KEY_ID_PATTERN = /^(pk|ak|ok)-[a-z2-7]{16}$/;

export function isKeyId(value: string): boolean {
  return KEY_ID_PATTERN.test(value);
}

export async function createApiKey(
  store: Pick<DirectoryWriter, 'createKey'>,
  kind: KeyKind,
  owner: { tenantId?: string; partnerId?: string },
  now = new Date(),
): Promise<{ apiKey: string; record: ApiKeyRecord }> {
  const key = generateKey(kind);
  const record: ApiKeyRecord = {
    keyId: key.keyId,
    kind,
    ...owner,
    secretHash: key.secretHash,
    status: 'active',
    createdAt: now.toISOString(),
  };
  await store.createKey(record);
  return { apiKey: key.apiKey, record };
}

export interface KeySummary {
  keyId: string;
  kind: KeyKind;
  tenantId?: string;
  partnerId?: string;
  status: ApiKeyRecord['status'];
  createdAt: string;
  revokedAt?: string;
  lastUsedAt?: string;
}

export function keySummary(r: ApiKeyRecord): KeySummary {
  return {
    keyId: r.keyId,
    kind: r.kind,
    tenantId: r.tenantId,
    partnerId: r.partnerId,
    status: r.status,
    createdAt: r.createdAt,
    revokedAt: r.revokedAt,
    lastUsedAt: r.lastUsedAt,
  };
}

/** The one response that carries a key's secret (the whole `apiKey` string). */
export function newKeyBody(created: { apiKey: string; record: ApiKeyRecord }, extra: { rotatedFrom?: string } = {}) {
  return { ...keySummary(created.record), apiKey: created.apiKey, ...extra };
}
