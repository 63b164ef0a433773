// Revoking credentials already issued (POST/GET /v1/tenants/{tenantId}/revocations), and the partner
// routes that may revoke live sessions too (?revokeSessions=true): the one function with IAM grants.
import { dispatchAdmin, REVOCATION_ROUTES } from '../lib/admin/routes';
import { httpHandler } from '../lib/http/handler';
import { authenticator } from '../lib/wiring/directory';
import { revocationDeps } from '../lib/wiring/revocations';

export const handler = httpHandler((req) => dispatchAdmin(REVOCATION_ROUTES, revocationDeps, authenticator, req), { body: true });
