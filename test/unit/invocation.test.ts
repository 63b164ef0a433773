// Per-invocation state (deadline and log keys): a variable by default, one per async context where
// Lambda runs several invocations at once (AWS_LAMBDA_MAX_CONCURRENCY).
import { describe, expect, it } from '@jest/globals';
import { invocationSlotFor } from '../../lib/core/invocation';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('invocationSlotFor', () => {
  it('keeps each concurrent invocation its own state where Lambda runs several at once', async () => {
    const slot = invocationSlotFor({ AWS_LAMBDA_MAX_CONCURRENCY: '2' });
    const seen = await Promise.all(
      ['a', 'b', 'c'].map((requestId, i) =>
        slot.run({ logKeys: { requestId } }, async () => {
          await pause(30 - 10 * i);
          return slot.get()?.logKeys.requestId;
        }),
      ),
    );
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(slot.get()).toBeUndefined();
  });

  it('one invocation at a time (the default) keeps the state in a variable, restored after a nested one', async () => {
    const slot = invocationSlotFor({});
    const seen = await slot.run({ logKeys: { requestId: 'outer' } }, async () => {
      const inner = await slot.run({ logKeys: { requestId: 'inner' } }, async () => slot.get()?.logKeys.requestId);
      return [inner, slot.get()?.logKeys.requestId];
    });
    expect(seen).toEqual(['inner', 'outer']);
    expect(slot.get()).toBeUndefined();
  });

  it('the variable slot mixes concurrent invocations up: why the concurrent mode needs async contexts', async () => {
    const slot = invocationSlotFor({});
    const seen = await Promise.all(
      ['a', 'b'].map((requestId, i) =>
        slot.run({ logKeys: { requestId } }, async () => {
          // a resumes while b's state is the variable's, and leaves b none when it ends.
          await pause(10 + 20 * i);
          return slot.get()?.logKeys.requestId;
        }),
      ),
    );
    expect(seen).toEqual(['b', undefined]);
  });
});
