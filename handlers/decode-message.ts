// POST /v1/authorization-messages/decode: an AWS encoded authorization failure message, decoded for
// the partner whose session it is about (lib/decode/decode.ts).
import { decodeAuthorizationMessage } from '../lib/decode/decode';
import { DecodeMessageRequestSchema } from '../lib/decode/schemas';
import { httpHandler } from '../lib/http/handler';
import { parseWith } from '../lib/http/validate';
import { decodeDeps } from '../lib/wiring/decode';
import { authenticator } from '../lib/wiring/directory';

export const handler = httpHandler(
  async (req) => {
    const caller = await authenticator.authenticate(req.header('authorization'), { kinds: ['partner'] });
    const request = parseWith(DecodeMessageRequestSchema, req.body);
    return { statusCode: 200, body: await decodeAuthorizationMessage(decodeDeps, caller, request) };
  },
  { body: true },
);
