// Partner routes: POST /v1/credentials and GET /v1/credentials?format=container.
import { BadRequestError } from '../lib/core/errors';
import { type HttpRequest, httpHandler } from '../lib/http/handler';
import { compileJsonSchema, type JsonSchema, parseWithJsonSchema } from '../lib/http/json-schema';
import type { Caller } from '../lib/identity/authenticate';
import issueRequestSchema from '../lib/openapi/issue-request.schema.json';
import { containerCredentials, credentialProcessDocument } from '../lib/vend/credential-formats';
import { type IssueContext, type IssueRequest, issueCredentials } from '../lib/vend/issue';
import { issueResponseBody } from '../lib/vend/response';
import { authenticatePartner } from '../lib/wiring/partner-auth';
import { issueDeps } from '../lib/wiring/vend';

// The JSON Schema generated from IssueRequestSchema: zod's runtime stays out of this bundle.
const checkIssueRequest = compileJsonSchema(issueRequestSchema as JsonSchema);

function contextOf(req: HttpRequest, caller: Caller): IssueContext {
  return { caller, requestId: req.requestId, sourceIp: req.sourceIp, userAgent: req.userAgent };
}

export const issue = httpHandler(
  async (req) => {
    const caller = await authenticatePartner(req.header('authorization'), false);
    const format = req.query('format') ?? 'json';
    if (format !== 'json' && format !== 'credential_process') {
      throw new BadRequestError('invalid_format', 'format must be json or credential_process');
    }
    const request = parseWithJsonSchema<IssueRequest>(checkIssueRequest, req.body);
    const result = await issueCredentials(issueDeps, contextOf(req, caller), request);
    const body = format === 'credential_process' ? credentialProcessDocument(result.credentials) : issueResponseBody(result, new Date());
    return { statusCode: 201, body };
  },
  { body: true },
);

/** AWS SDKs call this with AWS_CONTAINER_CREDENTIALS_FULL_URI and send the token verbatim. */
export const container = httpHandler(async (req) => {
  if (req.query('format') !== 'container') {
    throw new BadRequestError('invalid_format', 'GET /v1/credentials needs ?format=container');
  }
  const caller = await authenticatePartner(req.header('authorization'), true);
  const result = await issueCredentials(issueDeps, contextOf(req, caller), {});
  return { statusCode: 200, body: containerCredentials(result.credentials) };
});
