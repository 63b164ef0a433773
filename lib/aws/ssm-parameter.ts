// One SSM GetParameter call (decrypted), SigV4-signed by the SDK's own signer and sent through an
// SDK client's own HTTP handler with its credentials. Why not @aws-sdk/client-ssm: the call is made
// once per cold start, and that client (with Powertools Parameters) adds 88 KB to the vend bundle
// for it (README.md); the signer, handler and credentials are loaded by the STS client anyway.
import { partition } from '@aws-sdk/core/client';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider, HttpRequest, HttpResponse, Provider } from '@smithy/types';
import { NodeSha256 } from './sha256';

/** The parts of a resolved SDK client config (`client.config`) the call needs. */
export interface SignedCallConfig {
  credentials: AwsCredentialIdentityProvider;
  region: Provider<string>;
  requestHandler: { handle(request: HttpRequest): Promise<{ response: HttpResponse }> };
}

/** SSM's answer other than 200: its error type (e.g. ParameterNotFound) and HTTP status, never the body. */
export class SsmRequestError extends Error {
  override readonly name = 'SsmRequestError';
  constructor(
    readonly type: string,
    readonly statusCode: number,
  ) {
    super(`SSM GetParameter failed: ${type} (HTTP ${statusCode})`);
  }
}

/**
 * The SSM endpoint as the SDK would pick it: AWS_ENDPOINT_URL_SSM, then AWS_ENDPOINT_URL (unless
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS), else the region's regional (or FIPS) endpoint.
 */
export function ssmEndpoint(region: string, env: NodeJS.ProcessEnv = process.env): URL {
  const configured = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true' ? undefined : env.AWS_ENDPOINT_URL_SSM || env.AWS_ENDPOINT_URL;
  if (configured) return new URL(configured);
  const host = env.AWS_USE_FIPS_ENDPOINT === 'true' ? 'ssm-fips' : 'ssm';
  return new URL(`https://${host}.${region}.${partition(region).dnsSuffix}`);
}

async function readBody(response: HttpResponse): Promise<string> {
  const body = response.body as AsyncIterable<Uint8Array> | string | undefined;
  if (body === undefined || typeof body === 'string') return body ?? '';
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** The decrypted value of one parameter. Errors say what failed, never what the parameter holds. */
export async function getDecryptedParameter(config: SignedCallConfig, name: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const region = await config.region();
  const url = ssmEndpoint(region, env);
  const body = JSON.stringify({ Name: name, WithDecryption: true });
  const request: HttpRequest = {
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query: {},
    headers: {
      host: url.host,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonSSM.GetParameter',
      'content-length': String(Buffer.byteLength(body)),
    },
    body,
  };
  const signer = new SignatureV4({ credentials: config.credentials, region, service: 'ssm', sha256: NodeSha256 });
  const { response } = await config.requestHandler.handle((await signer.sign(request)) as HttpRequest);
  const text = await readBody(response);
  let parsed: { Parameter?: { Value?: unknown }; __type?: unknown } | undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (response.statusCode !== 200) {
    // "__type" may be namespaced ("com.amazonaws.ssm#ParameterNotFound").
    const type = typeof parsed?.__type === 'string' ? parsed.__type.slice(parsed.__type.lastIndexOf('#') + 1) : 'UnknownError';
    throw new SsmRequestError(type, response.statusCode);
  }
  const value = parsed?.Parameter?.Value;
  if (typeof value !== 'string') throw new SsmRequestError('MalformedResponse', response.statusCode);
  return value;
}
