import { describe, expect, it } from '@jest/globals';
import type { ApiKeyRecord } from '../../lib/core/model';
import { TtlCache } from '../../lib/core/ttl-cache';
import { CachedDirectory } from '../../lib/store/cached-directory';
import { FakeDirectory, issuedKey, PARTNER_ID, TENANT_ID, tenant } from './issuance-fakes';

function clock(start = 1_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('TtlCache', () => {
  it('returns a value until exactly ttl ms after it was set', () => {
    const c = clock();
    const cache = new TtlCache<string>(1000, 10, c.now);
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', 'A');
    c.advance(999);
    expect(cache.get('a')).toBe('A');
    c.advance(1);
    expect(cache.get('a')).toBeUndefined();
  });

  it('restarts the ttl when a key is set again', () => {
    const c = clock();
    const cache = new TtlCache<string>(1000, 10, c.now);
    cache.set('a', 'old');
    c.advance(900);
    cache.set('a', 'new');
    c.advance(900);
    expect(cache.get('a')).toBe('new');
  });

  it.each([0, -5])('caches nothing when ttl is %i', (ttl) => {
    const cache = new TtlCache<string>(ttl);
    cache.set('a', 'A');
    expect(cache.get('a')).toBeUndefined();
  });

  it('drops the oldest entry when full', () => {
    const cache = new TtlCache<number>(60_000, 2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 2, 3]);
  });

  it('delete and clear forget entries', () => {
    const cache = new TtlCache<number>(60_000);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.delete('a');
    expect([cache.get('a'), cache.get('b')]).toEqual([undefined, 2]);
    cache.clear();
    expect(cache.get('b')).toBeUndefined();
  });

  it('getOrLoad loads once per ttl and again after expiry', async () => {
    const c = clock();
    const cache = new TtlCache<string>(1000, 10, c.now);
    let loads = 0;
    const load = async () => `v${++loads}`;
    expect(await cache.getOrLoad('k', load)).toBe('v1');
    expect(await cache.getOrLoad('k', load)).toBe('v1');
    c.advance(1000);
    expect(await cache.getOrLoad('k', load)).toBe('v2');
    expect(loads).toBe(2);
  });

  it('getOrLoad shares one load among concurrent misses of a key, a failure included', async () => {
    const cache = new TtlCache<string>(60_000);
    let loads = 0;
    let release!: (v: string) => void;
    const slow = () => {
      loads++;
      return new Promise<string>((r) => (release = r));
    };
    const burst = Promise.all(Array.from({ length: 50 }, () => cache.getOrLoad('k', slow)));
    release('v');
    expect(await burst).toEqual(Array(50).fill('v'));
    expect(loads).toBe(1);
    let fails = 0;
    const failing = async () => {
      fails++;
      throw new Error('down');
    };
    const failed = await Promise.allSettled([cache.getOrLoad('x', failing), cache.getOrLoad('x', failing)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(fails).toBe(1);
    expect(await cache.getOrLoad('x', async () => 'back')).toBe('back');
  });

  it('a load begun before clear() does not put back what was cleared', async () => {
    const cache = new TtlCache<string>(60_000);
    let release!: (v: string) => void;
    const pending = cache.getOrLoad('k', () => new Promise<string>((r) => (release = r)));
    cache.clear();
    release('stale');
    expect(await pending).toBe('stale');
    expect(cache.get('k')).toBeUndefined();
  });

  it('getOrLoad caches neither a failure nor undefined', async () => {
    const cache = new TtlCache<string | undefined>(60_000);
    await expect(cache.getOrLoad('k', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    let loads = 0;
    const missing = async () => {
      loads++;
      return undefined;
    };
    await cache.getOrLoad('k', missing);
    await cache.getOrLoad('k', missing);
    expect(loads).toBe(2);
    expect(await cache.getOrLoad('k', async () => 'now')).toBe('now');
  });
});

describe('CachedDirectory', () => {
  function setup(ttlMs = 15_000) {
    const c = clock();
    const inner = new FakeDirectory();
    return { c, inner, dir: new CachedDirectory(inner, ttlMs, c.now) };
  }

  it('serves a key from memory for the ttl, then reads it again (a revocation shows after at most the ttl)', async () => {
    const { c, inner, dir } = setup();
    const key = issuedKey('partner');
    inner.keys.set(key.keyId, key.record);
    expect(await dir.getKey(key.keyId)).toEqual(key.record);
    inner.keys.set(key.keyId, { ...key.record, status: 'revoked' });
    c.advance(14_999);
    expect((await dir.getKey(key.keyId))?.status).toBe('active');
    expect(inner.calls.getKey).toBe(1);
    c.advance(1);
    expect((await dir.getKey(key.keyId))?.status).toBe('revoked');
    expect(inner.calls.getKey).toBe(2);
  });

  it('caches misses too, and answers them as undefined', async () => {
    const { c, inner, dir } = setup();
    expect(await dir.getKey('pk-aaaaaaaaaaaaaaaa')).toBeUndefined();
    expect(await dir.getKey('pk-aaaaaaaaaaaaaaaa')).toBeUndefined();
    expect(inner.calls.getKey).toBe(1);
    expect(await dir.getTenant('nobody')).toBeUndefined();
    expect(await dir.getTenant('nobody')).toBeUndefined();
    expect(inner.calls.getTenant).toBe(1);
    c.advance(15_000);
    await dir.getKey('pk-aaaaaaaaaaaaaaaa');
    expect(inner.calls.getKey).toBe(2);
  });

  it('caches tenants and partner contexts per id', async () => {
    const { inner, dir } = setup();
    expect(await dir.getTenant(TENANT_ID)).toEqual(tenant());
    await dir.getTenant(TENANT_ID);
    expect(inner.calls.getTenant).toBe(1);

    const first = await dir.getPartnerContext(TENANT_ID, PARTNER_ID);
    expect(first).toBe(inner.context);
    await dir.getPartnerContext(TENANT_ID, PARTNER_ID);
    await dir.getPartnerContext(TENANT_ID, 'partner-two');
    await dir.getPartnerContext('other', PARTNER_ID);
    expect(inner.contextRequests).toEqual([
      [TENANT_ID, PARTNER_ID],
      [TENANT_ID, 'partner-two'],
      ['other', PARTNER_ID],
    ]);
  });

  it('never caches touchKey', async () => {
    const { inner, dir } = setup();
    await dir.touchKey('k', '2026-01-01T00:05:00.000Z', '2026-01-01T00:00:00.000Z');
    await dir.touchKey('k', '2026-01-01T00:05:00.000Z', '2026-01-01T00:00:00.000Z');
    expect(inner.touches).toEqual([
      { keyId: 'k', at: '2026-01-01T00:05:00.000Z', notAfter: '2026-01-01T00:00:00.000Z' },
      { keyId: 'k', at: '2026-01-01T00:05:00.000Z', notAfter: '2026-01-01T00:00:00.000Z' },
    ]);
  });

  it('clear() forgets everything', async () => {
    const { inner, dir } = setup();
    await dir.getKey('k');
    await dir.getTenant(TENANT_ID);
    await dir.getPartnerContext(TENANT_ID, PARTNER_ID);
    dir.clear();
    await dir.getKey('k');
    await dir.getTenant(TENANT_ID);
    await dir.getPartnerContext(TENANT_ID, PARTNER_ID);
    expect(inner.calls).toEqual({ getKey: 2, getTenant: 2, getPartnerContext: 2 });
  });

  it('with a ttl of 0 every read goes to the store', async () => {
    const { inner, dir } = setup(0);
    const record: ApiKeyRecord = issuedKey('admin').record;
    inner.keys.set(record.keyId, record);
    await dir.getKey(record.keyId);
    await dir.getKey(record.keyId);
    expect(inner.calls.getKey).toBe(2);
  });
});
