// GET /v1/whoami: who the partner key belongs to and what it may ask for.

import type { Mode } from '../lib/core/model';
import { httpHandler } from '../lib/http/handler';
import { resolvePartnerPolicy } from '../lib/vend/issue';
import { authenticator, directory } from '../lib/wiring/directory';

export const handler = httpHandler(async (req) => {
  const caller = await authenticator.authenticate(req.header('authorization'), { kinds: ['partner'] });
  const { policy } = await resolvePartnerPolicy(directory, caller);
  const modes = Object.entries(policy.document.modes).map(([mode, settings]) => ({
    mode: mode as Mode,
    defaultDurationSeconds: settings.defaultDurationSeconds,
    maxDurationSeconds: settings.maxDurationSeconds,
  }));
  return {
    statusCode: 200,
    body: {
      tenantId: caller.tenantId,
      partnerId: caller.partnerId,
      keyId: caller.keyId,
      defaultMode: policy.document.defaultMode,
      modes,
      policyVersion: policy.version,
    },
  };
});
