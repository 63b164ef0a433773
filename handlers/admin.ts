// Every tenant-admin and operator route (/v1/tenants…), in one Lambda dispatching on the route key.
import { ADMIN_ROUTES, dispatchAdmin } from '../lib/admin/routes';
import { httpHandler } from '../lib/http/handler';
import { adminDeps } from '../lib/wiring/admin';
import { authenticator } from '../lib/wiring/directory';

export const handler = httpHandler((req) => dispatchAdmin(ADMIN_ROUTES, adminDeps, authenticator, req), { body: true });
