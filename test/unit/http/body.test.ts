import { describe, expect, it } from '@jest/globals';
import { AppError } from '../../../lib/core/errors';
import { jsonBody, MAX_JSON_DEPTH } from '../../../lib/http/body';
import { fakeContext, fakeEvent, JSON_HEADERS, type FakeRequest } from './fake-event';

const LIMIT = 1024;

/** Runs the middleware's `before` the way middy does; answers the parsed body or the AppError thrown. */
async function run(req: FakeRequest, maxBytes = LIMIT): Promise<{ body?: unknown; error?: AppError }> {
  const request = { event: fakeEvent(req), context: fakeContext(), response: undefined, error: undefined, internal: {} };
  try {
    await jsonBody(maxBytes).before!(request as never);
    return { body: (request.event as { body?: unknown }).body };
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return { error: err as AppError };
  }
}

/** A JSON document of exactly `bytes` UTF-8 bytes. */
const documentOf = (bytes: number) => `{"a":"${'x'.repeat(bytes - 8)}"}`;

describe('jsonBody', () => {
  it('nests at most 8 levels', () => {
    expect(MAX_JSON_DEPTH).toBe(8);
  });

  it('parses a body of exactly the limit and refuses one byte more', async () => {
    expect((await run({ headers: JSON_HEADERS, body: documentOf(LIMIT) })).body).toEqual({ a: 'x'.repeat(LIMIT - 8) });
    expect((await run({ headers: JSON_HEADERS, body: documentOf(LIMIT + 1) })).error).toMatchObject({ statusCode: 413, code: 'payload_too_large' });
  });

  it('refuses a base64 body whose decoded size is over the limit', async () => {
    const body = Buffer.from(documentOf(LIMIT + 1)).toString('base64');
    expect((await run({ headers: JSON_HEADERS, body, isBase64Encoded: true })).error).toMatchObject({ statusCode: 413 });
  });

  it('accepts a base64 body whose decoded size is exactly the limit, as it does the same body unencoded', async () => {
    // 1368 base64 characters with "==" padding: an estimate of length * 3 / 4 (1026) would refuse it.
    const body = Buffer.from(documentOf(LIMIT)).toString('base64');
    expect(Buffer.from(body, 'base64').length).toBe(LIMIT);
    const result = await run({ headers: JSON_HEADERS, body, isBase64Encoded: true });
    expect(result.error).toBeUndefined();
    expect(result.body).toEqual({ a: 'x'.repeat(LIMIT - 8) });
  });

  it('reads an absent or blank body as {} whatever the content type', async () => {
    expect(await run({})).toEqual({ body: {} });
    expect(await run({ headers: { 'content-type': 'text/plain' }, body: '  ' })).toEqual({ body: {} });
    expect(await run({ headers: JSON_HEADERS, body: '', isBase64Encoded: true })).toEqual({ body: {} });
  });

  it('counts depth by nesting under a value: 8 nested objects around a scalar pass, 9 do not', async () => {
    const objects = (levels: number) => '{"k":'.repeat(levels) + '0' + '}'.repeat(levels);
    expect((await run({ headers: JSON_HEADERS, body: objects(8) })).error).toBeUndefined();
    expect((await run({ headers: JSON_HEADERS, body: objects(9) })).error).toMatchObject({ statusCode: 400, code: 'body_too_deep' });
    // Mixed arrays and objects, deep in a later sibling.
    const mixed = `{"a":1,"b":[{"c":[[{"d":[[[${'0'}]]]}]]}]}`;
    expect((await run({ headers: JSON_HEADERS, body: mixed })).error).toMatchObject({ code: 'body_too_deep' });
  });

  it('answers 415 before looking at the JSON, and 400 for bad JSON', async () => {
    expect((await run({ headers: { 'content-type': 'text/plain' }, body: '{' })).error).toMatchObject({ statusCode: 415, code: 'unsupported_media_type' });
    expect((await run({ headers: JSON_HEADERS, body: '{' })).error).toMatchObject({ statusCode: 400, code: 'invalid_json' });
  });

  it('keeps parser internals out of the errors (no body echo, no cause)', async () => {
    const { error } = await run({ headers: JSON_HEADERS, body: '{"secret":"s3cr3t",' });
    expect(error).toMatchObject({ code: 'invalid_json', details: [] });
    expect(error!.cause).toBeUndefined();
    expect(JSON.stringify({ ...error, message: error!.message })).not.toContain('s3cr3t');
  });
});
