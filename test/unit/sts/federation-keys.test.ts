// The federation keys are read again once older than the cache TTL, so a rotated key reaches a warm
// container in that time and the old one can be deleted.
import { describe, expect, it } from '@jest/globals';
import { DependencyUnavailableError } from '../../../lib/core/errors';
import { federationClientLoader } from '../../../lib/sts/federation-client';

const keys = (id: string) => JSON.stringify({ accessKeyId: id, secretAccessKey: `secret-of-${id}` });

function loaderWith(values: Array<string | Error>, maxAgeMs = 15_000) {
  let clock = 0;
  const reads: string[] = [];
  const load = federationClientLoader(
    '/credvend/test/federation-user',
    async (name) => {
      reads.push(name);
      const next = values.shift();
      if (next === undefined || next instanceof Error) throw next ?? new Error('no value');
      return next;
    },
    { region: 'us-east-1' },
    { maxAgeMs, now: () => clock },
  );
  const keyIdOf = async () => (await (await load()).config.credentials()).accessKeyId;
  const advance = (ms: number): void => {
    clock += ms;
  };
  return { keyIdOf, reads, advance };
}

describe('federation keys', () => {
  it('are read once within the TTL, then again: a rotated key is used from then on', async () => {
    const f = loaderWith([keys('AKIAOLD'), keys('AKIANEW')]);
    expect(await f.keyIdOf()).toBe('AKIAOLD');
    f.advance(14_999);
    expect(await f.keyIdOf()).toBe('AKIAOLD');
    expect(f.reads).toHaveLength(1);
    f.advance(1);
    expect(await f.keyIdOf()).toBe('AKIANEW');
    expect(f.reads).toHaveLength(2);
  });

  it('keep the loaded keys when a re-read fails, and try again after another TTL', async () => {
    const f = loaderWith([keys('AKIAOLD'), new Error('ssm down'), keys('AKIANEW')]);
    expect(await f.keyIdOf()).toBe('AKIAOLD');
    f.advance(15_000);
    expect(await f.keyIdOf()).toBe('AKIAOLD');
    f.advance(1_000);
    expect(await f.keyIdOf()).toBe('AKIAOLD');
    expect(f.reads).toHaveLength(2);
    f.advance(14_000);
    expect(await f.keyIdOf()).toBe('AKIANEW');
  });

  it('forget a failed first read, so the next request reads again', async () => {
    const f = loaderWith([new Error('ssm down'), keys('AKIAFIRST')]);
    await expect(f.keyIdOf()).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect(await f.keyIdOf()).toBe('AKIAFIRST');
    expect(f.reads).toHaveLength(2);
  });
});
