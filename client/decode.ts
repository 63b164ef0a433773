// POST /v1/authorization-messages/decode: an AWS encoded authorization failure message, decoded by
// credvend when it is about one of the caller's own sessions.
import { CredvendError, CredvendParseError } from './errors';
import { apiUrl, type CredvendClientOptions, httpError, networkError, resolveApiKey } from './issue';

export interface DecodedAuthorizationMessage {
  decodedMessage: Record<string, unknown>;
  principal: { arn: string };
}

const MARKER = /Encoded authorization failure message:\s*/i;
/** Real messages run to hundreds of characters; a short word is not one. */
const ENCODED = /^[A-Za-z0-9+/=_-]{40,10240}$/;

/**
 * The encoded message out of what a person pastes: the message itself, or the whole AccessDenied
 * text that ends with "Encoded authorization failure message: <message>". Surrounding whitespace ignored.
 */
export function extractEncodedMessage(text: string): string {
  const marked = MARKER.exec(text);
  const candidate = (marked ? text.slice(marked.index + marked[0].length) : text).trim().split(/\s/)[0] ?? '';
  if (!ENCODED.test(candidate)) {
    throw new CredvendError({ code: 'invalid_message', message: 'No encoded authorization failure message found in the input' });
  }
  return candidate;
}

export async function decodeAuthorizationMessage(
  opts: Omit<CredvendClientOptions, 'request' | 'maxRetries' | 'sleep' | 'random'>,
  message: string,
): Promise<DecodedAuthorizationMessage> {
  const url = apiUrl(opts.endpoint, '/v1/authorization-messages/decode', opts.allowInsecureHttp);
  const encodedMessage = extractEncodedMessage(message);
  const apiKey = await resolveApiKey(opts);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  let res: Response;
  let text: string;
  try {
    res = await (opts.fetch ?? fetch)(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/json',
        accept: 'application/json',
        'user-agent': opts.userAgent ?? 'credvend-client/1',
      },
      body: JSON.stringify({ encodedMessage }),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await res.text();
  } catch (err) {
    throw networkError(err, timeoutMs);
  }
  if (res.status !== 200) throw httpError(res, text, apiKey);
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    throw new CredvendParseError('invalid_response', 'Unexpected response from credvend: the body is not JSON');
  }
  const b = body as Partial<DecodedAuthorizationMessage> | null;
  if (typeof b?.decodedMessage !== 'object' || b.decodedMessage === null || typeof b.principal?.arn !== 'string') {
    throw new CredvendParseError('invalid_response', 'Unexpected response from credvend: decodedMessage or principal.arn missing');
  }
  return b as DecodedAuthorizationMessage;
}
