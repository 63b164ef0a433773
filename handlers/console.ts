// GET /console and /console/{proxy+}: the web console's static assets (scripts/build-console.mjs builds
// them into dist/console/assets.json, bundled here). No AWS call and no IAM permission: the browser
// calls the API itself, same origin, with the key the user signs in with.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import assets from '../dist/console/assets.json';
import { type ConsoleAssets, consoleResponse } from '../lib/http/console';

export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> =>
  consoleResponse(assets as ConsoleAssets, event.rawPath, event.headers?.['accept-encoding']);
