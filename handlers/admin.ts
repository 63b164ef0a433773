// Every tenant-admin and operator route (/v1/tenants…), in one Lambda dispatching on the route key.
import { ADMIN_ROUTES, dispatchAdmin } from '../lib/admin/routes';
import { httpHandler } from '../lib/http/handler';
import { adminDeps } from '../lib/wiring/admin';
import { authenticator } from '../lib/wiring/directory';
import { adminMfaDeps } from '../lib/wiring/mfa-deps';

// With the MFA devices (issue 19), which only this function serves.
const deps = { ...adminDeps, mfa: adminMfaDeps() };

export const handler = httpHandler((req) => dispatchAdmin(ADMIN_ROUTES, deps, authenticator, req), { body: true });
