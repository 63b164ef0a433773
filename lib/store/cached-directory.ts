// The warm path's directory: key and tenant lookups served from memory for at most the
// configured TTL (the revocation delay the README states), misses included.

import type { ApiKeyRecord, Tenant } from '../core/model';
import { TtlCache } from '../core/ttl-cache';
import type { PartnerContext } from '../vend/ports';
import type { DirectoryReader } from './directory';

export class CachedDirectory implements DirectoryReader {
  private readonly keyCache: TtlCache<ApiKeyRecord | null>;
  private readonly tenantCache: TtlCache<Tenant | null>;
  private readonly contextCache: TtlCache<PartnerContext>;

  constructor(
    private readonly inner: DirectoryReader,
    ttlMs: number,
    now: () => number = Date.now,
  ) {
    this.keyCache = new TtlCache(ttlMs, 10_000, now);
    this.tenantCache = new TtlCache(ttlMs, 10_000, now);
    this.contextCache = new TtlCache(ttlMs, 10_000, now);
  }

  async getKey(keyId: string) {
    const found = await this.keyCache.getOrLoad(keyId, async () => (await this.inner.getKey(keyId)) ?? null);
    return found ?? undefined;
  }

  async getTenant(tenantId: string) {
    const found = await this.tenantCache.getOrLoad(tenantId, async () => (await this.inner.getTenant(tenantId)) ?? null);
    return found ?? undefined;
  }

  getPartnerContext(tenantId: string, partnerId: string) {
    return this.contextCache.getOrLoad(`${tenantId}#${partnerId}`, () => this.inner.getPartnerContext(tenantId, partnerId));
  }

  touchKey(keyId: string, at: string, notAfter: string) {
    return this.inner.touchKey(keyId, at, notAfter);
  }

  /** Forget everything (tests, and admin writes in the same container). */
  clear(): void {
    this.keyCache.clear();
    this.tenantCache.clear();
    this.contextCache.clear();
  }
}
