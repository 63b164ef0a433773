// API Gateway's $default route: every request no other route matched gets the contract's JSON
// error (404 route_not_found, or 405 method_not_allowed with Allow) instead of API Gateway's own
// {"message":"Not Found"}. No AWS call and no IAM permission.
import { httpHandler } from '../lib/http/handler';
import { unknownRouteError } from '../lib/http/unknown-route';
import { ROUTES } from '../lib/openapi/routes';

export const handler = httpHandler(async (req) => {
  throw unknownRouteError(ROUTES, req.event.requestContext.http.method, req.event.rawPath);
});
