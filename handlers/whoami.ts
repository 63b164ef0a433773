// GET /v1/whoami: who the partner key (or OIDC token, issue 17) belongs to and what it may ask for.
import { httpHandler } from '../lib/http/handler';
import { resolvePartnerPolicy } from '../lib/vend/issue';
import { whoami } from '../lib/vend/whoami';
import { directory } from '../lib/wiring/directory';
import { authenticatePartner } from '../lib/wiring/partner-auth';

export const handler = httpHandler(async (req) => {
  const caller = await authenticatePartner(req.header('authorization'), false);
  const resolved = await resolvePartnerPolicy(directory, caller);
  return { statusCode: 200, body: whoami(caller as Parameters<typeof whoami>[0], resolved) };
});
