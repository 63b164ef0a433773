import { describe, expect, it } from '@jest/globals';
import { invocationSlotFor } from '../../lib/core/invocation';
import { JsonLogger, type LogLevel } from '../../lib/core/log';

function capture(level: LogLevel = 'INFO', env: NodeJS.ProcessEnv = {}) {
  const lines: { level: LogLevel; entry: Record<string, unknown> }[] = [];
  const slot = invocationSlotFor(env);
  const logger = new JsonLogger('svc', level, (line, lvl) => lines.push({ level: lvl, entry: JSON.parse(line) }), slot);
  return { logger, lines, slot };
}

describe('JsonLogger', () => {
  it('writes one JSON object per line with level, message, timestamp, service and the attributes', () => {
    const { logger, lines } = capture();
    logger.info('hello', { keyId: 'pk-1', count: 2 });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.entry).toEqual({
      level: 'INFO',
      message: 'hello',
      timestamp: expect.any(String),
      service: 'svc',
      keyId: 'pk-1',
      count: 2,
    });
    expect(Number.isNaN(Date.parse(lines[0]!.entry.timestamp as string))).toBe(false);
  });

  it('drops lines under the threshold, and the threshold can change', () => {
    const { logger, lines } = capture('WARN');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(lines.map((l) => l.entry.message)).toEqual(['w', 'e']);
    logger.setLogLevel('SILENT');
    logger.error('gone');
    expect(lines).toHaveLength(2);
    logger.setLogLevel('DEBUG');
    logger.debug('back');
    expect(lines.map((l) => l.entry.message)).toEqual(['w', 'e', 'back']);
  });

  it('keeps appended keys on every line until removed', () => {
    const { logger, lines } = capture();
    logger.appendKeys({ requestId: 'r-1' });
    logger.info('a');
    logger.removeKeys(['requestId']);
    logger.info('b');
    expect(lines.map((l) => l.entry.requestId)).toEqual(['r-1', undefined]);
  });

  it("inside an invocation, appended keys stay on that invocation's lines", async () => {
    const { logger, lines, slot } = capture();
    await slot.run({ logKeys: { requestId: 'r-1' } }, async () => {
      logger.appendKeys({ keyId: 'pk-1' });
      logger.info('in');
      logger.removeKeys(['keyId']);
      logger.info('in again');
    });
    logger.info('after');
    expect(lines.map((l) => [l.entry.message, l.entry.requestId, l.entry.keyId])).toEqual([
      ['in', 'r-1', 'pk-1'],
      ['in again', 'r-1', undefined],
      ['after', undefined, undefined],
    ]);
  });

  it('where Lambda runs invocations concurrently, every line carries the request id of its own invocation', async () => {
    const { logger, lines, slot } = capture('INFO', { AWS_LAMBDA_MAX_CONCURRENCY: '8' });
    const requestIds = Array.from({ length: 8 }, (_, i) => `r-${i}`);
    await Promise.all(
      requestIds.map((requestId, i) =>
        slot.run({ logKeys: { requestId } }, async () => {
          logger.info('start', { expect: requestId });
          await new Promise((r) => setTimeout(r, 5 * (8 - i)));
          logger.appendKeys({ step: i });
          logger.info('end', { expect: requestId });
        }),
      ),
    );
    expect(lines).toHaveLength(16);
    expect(lines.filter((l) => l.entry.requestId !== l.entry.expect)).toEqual([]);
    // All eight were in flight at once (every start before any end), and each end carries its own
    // invocation's appended key. The order the ends come in is the timers' and not asserted: a busy
    // machine can fire a 40 ms timer set first before a 35 ms one set a few ms later.
    expect(lines.slice(0, 8).map((l) => l.entry.message)).toEqual(Array(8).fill('start'));
    const ends = lines.filter((l) => l.entry.message === 'end').map((l) => [l.entry.requestId, l.entry.step]);
    expect(ends.sort()).toEqual(requestIds.map((requestId, i) => [requestId, i]));
  });

  it('logs an error by name and message only: no stack, no cause, no extra fields', () => {
    const { logger, lines } = capture();
    const err = Object.assign(new Error('boom', { cause: new Error('inner secret') }), { $response: { body: 'secret body' } });
    logger.error('failed', err);
    logger.error('failed', { error: err });
    expect(lines).toHaveLength(2);
    for (const { entry } of lines) expect(entry.error).toEqual({ name: 'Error', message: 'boom' });
    expect(JSON.stringify(lines)).not.toContain('secret');
  });

  it('a circular attribute keeps the line without its attributes', () => {
    const { logger, lines } = capture();
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    logger.warn('odd', { loop });
    expect(lines[0]!.entry).toMatchObject({ level: 'WARN', message: 'odd', unserialisable: true });
  });
});
