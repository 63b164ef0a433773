// Validates real responses against the committed OpenAPI document (lib/openapi/openapi.json),
// so a response the document does not describe fails the test that received it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

type Json = Record<string, any>;

export const OPENAPI_JSON = fileURLToPath(new URL('../../lib/openapi/openapi.json', import.meta.url));
export const openApiDocument: Json = JSON.parse(readFileSync(OPENAPI_JSON, 'utf8'));

const DOC_ID = 'credvend-openapi.json';
// strict/validateSchema off: the document is OpenAPI, of which only the schema parts are JSON Schema.
const ajv = new Ajv2020({ strict: false, validateSchema: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(openApiDocument, DOC_ID);

const templates = Object.keys(openApiDocument.paths).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));

/** The path template a concrete path (query string allowed) belongs to, or undefined. */
export function templateOf(pathOrTemplate: string): string | undefined {
  const path = pathOrTemplate.split('?')[0]!;
  if (openApiDocument.paths[path]) return path;
  // Literal segments win over parameters (/policy/versions is not /policy/{x}).
  const matches = templates.filter((t) => t.pattern.test(path));
  const parameters = (template: string) => template.split('{').length;
  matches.sort((a, b) => parameters(a.template) - parameters(b.template));
  return matches[0]?.template;
}

const pointer = (...segments: string[]) => segments.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
const validators = new Map<string, ValidateFunction>();

function validatorFor(ref: string): ValidateFunction {
  let validate = validators.get(ref);
  if (!validate) {
    validate = ajv.compile({ $ref: `${DOC_ID}#/${ref}` });
    validators.set(ref, validate);
  }
  return validate;
}

/**
 * Throws unless the document declares `status` for this route and `body` matches its schema.
 * `pathTemplateOrPath` may be a template (/v1/tenants/{tenantId}) or a concrete path with a query string.
 */
export function assertMatchesOpenApi(method: string, pathTemplateOrPath: string, status: number, body: unknown): void {
  const where = `${method.toUpperCase()} ${pathTemplateOrPath} -> ${status}`;
  const template = templateOf(pathTemplateOrPath);
  if (!template) throw new Error(`${where}: the path is not in the OpenAPI document`);
  const operation = openApiDocument.paths[template][method.toLowerCase()];
  if (!operation) throw new Error(`${where}: ${method.toUpperCase()} ${template} is not in the OpenAPI document`);
  let response = operation.responses[String(status)];
  let ref = pointer('paths', template, method.toLowerCase(), 'responses', String(status));
  if (!response) throw new Error(`${where}: status ${status} is not documented for ${method.toUpperCase()} ${template}`);
  if (response.$ref) {
    ref = (response.$ref as string).replace(/^#\//, '');
    response = ref.split('/').reduce((node: Json, key) => node[key.replace(/~1/g, '/').replace(/~0/g, '~')], openApiDocument);
  }
  if (!response.content) {
    if (body !== undefined) throw new Error(`${where}: the document declares no body, got ${JSON.stringify(body)}`);
    return;
  }
  const validate = validatorFor(`${ref}/${pointer('content', 'application/json', 'schema')}`);
  if (!validate(body)) {
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message} ${JSON.stringify(e.params)}`);
    throw new Error(
      `${where}: the body does not match the OpenAPI document:\n- ${errors.join('\n- ')}\nbody: ${String(JSON.stringify(body)).slice(0, 2000)}`,
    );
  }
}
