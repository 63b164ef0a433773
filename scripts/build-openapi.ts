// Writes lib/openapi/openapi.json from the route list and the zod schemas. The openapi Lambda
// serves that file as is; test/unit/admin/openapi.test.ts fails when it is stale.
//   npx tsx scripts/build-openapi.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument } from '../lib/openapi/document';

export const OPENAPI_JSON = fileURLToPath(new URL('../lib/openapi/openapi.json', import.meta.url));

writeFileSync(OPENAPI_JSON, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
console.log(`wrote ${OPENAPI_JSON}`);
