// What API Gateway's $default route answers: a request that no route of the API matched. The route
// table is the caller's (lib/openapi/routes.ts in the Lambda), so this list never drifts from it.
import { MethodNotAllowedError, NotFoundError } from '../core/errors';

export interface KnownRoute {
  method: string;
  /** A path template as API Gateway has it: /v1/tenants/{tenantId}/policy. */
  path: string;
}

/** A template as a whole-path pattern: each {param} is one non-empty segment, as API Gateway matches it. */
function patternOf(template: string): RegExp {
  const source = template
    .split(/(\{[^/{}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

/** 405 with the path's methods when some route has this path, else 404 route_not_found. */
export function unknownRouteError(routes: readonly KnownRoute[], method: string, path: string): NotFoundError | MethodNotAllowedError {
  const allow = [...new Set(routes.filter((route) => patternOf(route.path).test(path)).map((route) => route.method))].sort();
  if (allow.length > 0 && !allow.includes(method)) {
    return new MethodNotAllowedError('method_not_allowed', `${method} is not allowed on ${path}`, { allow });
  }
  return new NotFoundError('route_not_found', `No route for ${method} ${path}`);
}
