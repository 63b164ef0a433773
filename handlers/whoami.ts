// GET /v1/whoami: who the partner key belongs to and what it may ask for.
import { httpHandler } from '../lib/http/handler';
import { resolvePartnerPolicy } from '../lib/vend/issue';
import { whoami } from '../lib/vend/whoami';
import { authenticator, directory } from '../lib/wiring/directory';

export const handler = httpHandler(async (req) => {
  const caller = await authenticator.authenticate(req.header('authorization'), { kinds: ['partner'] });
  const resolved = await resolvePartnerPolicy(directory, caller);
  return { statusCode: 200, body: whoami(caller as Parameters<typeof whoami>[0], resolved) };
});
