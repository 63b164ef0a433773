import { describe, expect, it } from '@jest/globals';
import { AppError } from '../../../lib/core/errors';
import { jsonBody, MAX_JSON_DEPTH } from '../../../lib/http/body';
import { type FakeRequest, fakeContext, fakeEvent, JSON_HEADERS } from './fake-event';

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
    expect((await run({ headers: JSON_HEADERS, body: documentOf(LIMIT + 1) })).error).toMatchObject({
      statusCode: 413,
      code: 'payload_too_large',
    });
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
    const objects = (levels: number) => `${'{"k":'.repeat(levels)}0${'}'.repeat(levels)}`;
    expect((await run({ headers: JSON_HEADERS, body: objects(8) })).error).toBeUndefined();
    expect((await run({ headers: JSON_HEADERS, body: objects(9) })).error).toMatchObject({ statusCode: 400, code: 'body_too_deep' });
    // Mixed arrays and objects, deep in a later sibling.
    const mixed = `{"a":1,"b":[{"c":[[{"d":[[[${'0'}]]]}]]}]}`;
    expect((await run({ headers: JSON_HEADERS, body: mixed })).error).toMatchObject({ code: 'body_too_deep' });
  });

  it('answers 415 before looking at the JSON, and 400 for bad JSON', async () => {
    expect((await run({ headers: { 'content-type': 'text/plain' }, body: '{' })).error).toMatchObject({
      statusCode: 415,
      code: 'unsupported_media_type',
    });
    expect((await run({ headers: JSON_HEADERS, body: '{' })).error).toMatchObject({ statusCode: 400, code: 'invalid_json' });
  });

  // Each refusal in full, as the error mapper will answer it: these do not depend on how any JSON
  // parser words its errors.
  const refused = (statusCode: number, code: string, message: string) => ({
    error: expect.objectContaining({ statusCode, code, message, details: [], headers: {} }),
  });
  const NOT_JSON = refused(415, 'unsupported_media_type', 'The request body must be JSON (Content-Type: application/json)');
  const BAD_JSON = refused(400, 'invalid_json', 'The request body is not valid JSON');
  const base64 = (text: string) => Buffer.from(text).toString('base64');

  it.each<[string, FakeRequest, unknown]>([
    ['no content type', { body: '{"a":1}' }, NOT_JSON],
    ['a wrong content type', { headers: { 'content-type': 'text/plain' }, body: '{"a":1}' }, NOT_JSON],
    ['a wrong content type, before looking at the JSON', { headers: { 'content-type': 'text/plain' }, body: '{' }, NOT_JSON],
    ['application/jsonp', { headers: { 'content-type': 'application/jsonp' }, body: '{"a":1}' }, NOT_JSON],
    ['a dangling parameter separator', { headers: { 'content-type': 'application/json;' }, body: '{"a":1}' }, NOT_JSON],
    ['invalid JSON', { headers: JSON_HEADERS, body: '{"a":}' }, BAD_JSON],
    ['JSON with a trailing document', { headers: JSON_HEADERS, body: '{"a":1}}' }, BAD_JSON],
    ['invalid JSON, base64-encoded', { headers: JSON_HEADERS, body: base64('{nope'), isBase64Encoded: true }, BAD_JSON],
    ['base64 text that decodes to blanks', { headers: JSON_HEADERS, body: base64('  '), isBase64Encoded: true }, BAD_JSON],
    [
      'a body one byte over the limit',
      { headers: JSON_HEADERS, body: documentOf(LIMIT + 1) },
      refused(413, 'payload_too_large', `The request body exceeds ${LIMIT} bytes`),
    ],
    [
      'an oversized body of any content type',
      { headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(LIMIT + 1) },
      refused(413, 'payload_too_large', `The request body exceeds ${LIMIT} bytes`),
    ],
    [
      'a scalar under 9 levels of nesting',
      { headers: JSON_HEADERS, body: `${'['.repeat(9)}1${']'.repeat(9)}` },
      refused(400, 'body_too_deep', `The request body nests deeper than ${MAX_JSON_DEPTH} levels`),
    ],
  ])('refuses %s', async (_, req, expected) => {
    expect(await run(req)).toEqual(expected);
  });

  it.each<[string, FakeRequest, unknown]>([
    ['application/json', { headers: JSON_HEADERS, body: '{"a":1}' }, { a: 1 }],
    ['a content type with parameters', { headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"a":1}' }, { a: 1 }],
    ['a +json content type', { headers: { 'content-type': 'application/vnd.api+json' }, body: '[1]' }, [1]],
    [
      'a header name and media type in any case',
      { headers: { 'Content-Type': 'Application/JSON; Charset=UTF-8' }, body: '{"a":1}' },
      { a: 1 },
    ],
    ['a base64-encoded body', { headers: JSON_HEADERS, body: base64('{"a":"é"}'), isBase64Encoded: true }, { a: 'é' }],
    ['a JSON scalar', { headers: JSON_HEADERS, body: ' 42 ' }, 42],
    ['an absent body', {}, {}],
    ['an empty body', { headers: JSON_HEADERS, body: '' }, {}],
    ['a blank body of any content type', { headers: { 'content-type': 'text/plain' }, body: ' \n\t ' }, {}],
    ['a scalar under 8 levels of nesting', { headers: JSON_HEADERS, body: `${'['.repeat(8)}1${']'.repeat(8)}` }, [[[[[[[[1]]]]]]]]],
  ])('parses %s', async (_, req, body) => {
    expect(await run(req)).toEqual({ body });
  });

  it('keeps parser internals out of the errors (no body echo, no cause)', async () => {
    const { error } = await run({ headers: JSON_HEADERS, body: '{"secret":"s3cr3t",' });
    expect(error).toMatchObject({ code: 'invalid_json', details: [] });
    expect(error!.cause).toBeUndefined();
    expect(JSON.stringify({ ...error, message: error!.message })).not.toContain('s3cr3t');
  });
});
