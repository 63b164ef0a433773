// Writes lib/openapi/openapi.json from the route list and the zod schemas, and the issuance body's
// JSON Schema the vend path checks (lib/http/json-schema.ts). The openapi Lambda serves openapi.json
// as is; test/unit/admin/openapi.test.ts fails when either file is stale.
//   npx tsx scripts/build-openapi.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument, toJsonSchema } from '../lib/openapi/document';
import { IssueRequestSchema } from '../lib/vend/request';

export const OPENAPI_JSON = fileURLToPath(new URL('../lib/openapi/openapi.json', import.meta.url));
export const ISSUE_REQUEST_SCHEMA_JSON = fileURLToPath(new URL('../lib/openapi/issue-request.schema.json', import.meta.url));

writeFileSync(OPENAPI_JSON, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
writeFileSync(ISSUE_REQUEST_SCHEMA_JSON, `${JSON.stringify(toJsonSchema(IssueRequestSchema), null, 2)}\n`);
console.log(`wrote ${OPENAPI_JSON} and ${ISSUE_REQUEST_SCHEMA_JSON}`);
