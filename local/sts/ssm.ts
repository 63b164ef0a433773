// Just enough SSM Parameter Store (JSON 1.1 protocol, `X-Amz-Target: AmazonSSM.<operation>`) for
// code that loads long-term keys from a SecureString parameter at cold start (GetParameter), and for
// the deploy script that stores them there (PutParameter).
import { createHmac } from 'node:crypto';
import { type AwsError, awsError } from './errors';
import type { LocalStsParameter } from './types';

export const SSM_TARGET_PREFIX = 'AmazonSSM.';

/** A parameter as stored: its version counts from 1 and moves on with every overwrite. */
export interface StoredParameter extends LocalStsParameter {
  version: number;
  lastModifiedMs: number;
}

export interface SsmContext {
  accountId: string;
  region: string;
  nowMs: number;
  parameters: Map<string, StoredParameter>;
  /** Per-server key so the stand-in ciphertext of a SecureString reveals nothing about its value. */
  cipherKey: Buffer;
}

export type SsmResult = { body: unknown } | { error: AwsError };

/** Auth failures in JSON-protocol services carry other codes than STS's, all with status 400. */
const JSON_AUTH_CODES: Record<string, string> = {
  InvalidClientTokenId: 'UnrecognizedClientException',
  SignatureDoesNotMatch: 'InvalidSignatureException',
  ExpiredToken: 'ExpiredTokenException',
  MissingAuthenticationToken: 'MissingAuthenticationTokenException',
  IncompleteSignature: 'IncompleteSignatureException',
};

export function ssmAuthError(error: AwsError): AwsError {
  const code = JSON_AUTH_CODES[error.code];
  return code ? awsError(400, code, error.message) : error;
}

export function ssmErrorBody(error: AwsError): { __type: string; message: string } {
  return { __type: error.code, message: error.message };
}

export function parameterArn(ctx: SsmContext, name: string): string {
  return `arn:aws:ssm:${ctx.region}:${ctx.accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
}

/** The parameter a request names (for identity-policy checks), '*' when it names none. */
export function ssmResource(ctx: SsmContext, body: Buffer): string {
  try {
    const input: unknown = JSON.parse(body.toString('utf8'));
    const name = typeof input === 'object' && input !== null ? (input as Record<string, unknown>).Name : undefined;
    return typeof name === 'string' ? parameterArn(ctx, name.replace(/:\d+$/, '')) : '*';
  } catch {
    return '*';
  }
}

const missing = (member: string): SsmResult => ({
  error: awsError(
    400,
    'ValidationException',
    `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
  ),
});

function getParameter(input: Record<string, unknown>, ctx: SsmContext): SsmResult {
  const { Name: requested, WithDecryption: decrypt } = input;
  if (typeof requested !== 'string') return missing('name');
  // Only the current version is kept: `name:<current version>` selects it, any other version is not found.
  const selector = /^(.*):(\d+)$/.exec(requested);
  const parameter = ctx.parameters.get(selector?.[1] ?? requested);
  if (!parameter || (selector && Number(selector[2]) !== parameter.version)) {
    return { error: awsError(400, 'ParameterNotFound', `Parameter ${requested} not found.`) };
  }
  const hidden = parameter.type === 'SecureString' && decrypt !== true;
  const value = hidden ? `AQICAH${createHmac('sha256', ctx.cipherKey).update(parameter.value).digest('base64')}` : parameter.value;
  return {
    body: {
      Parameter: {
        ARN: parameterArn(ctx, parameter.name),
        DataType: 'text',
        LastModifiedDate: parameter.lastModifiedMs / 1000,
        Name: parameter.name,
        Type: parameter.type,
        Value: value,
        Version: parameter.version,
      },
    },
  };
}

/** Creates a String or SecureString parameter; replacing one needs Overwrite, as in SSM. */
function putParameter(input: Record<string, unknown>, ctx: SsmContext): SsmResult {
  const { Name: name, Value: value, Type: type, Overwrite: overwrite } = input;
  if (typeof name !== 'string') return missing('name');
  if (typeof value !== 'string') return missing('value');
  const existing = ctx.parameters.get(name);
  if (existing && overwrite !== true) {
    return {
      error: awsError(
        400,
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      ),
    };
  }
  const kind = type ?? existing?.type;
  if (kind !== 'String' && kind !== 'SecureString') {
    return {
      error: awsError(400, 'ValidationException', `Type ${String(type)} is not supported by the local SSM (String, SecureString).`),
    };
  }
  const version = (existing?.version ?? 0) + 1;
  ctx.parameters.set(name, { name, value, type: kind, version, lastModifiedMs: ctx.nowMs });
  return { body: { Tier: 'Standard', Version: version } };
}

const SSM_OPERATIONS = new Map<string, (input: Record<string, unknown>, ctx: SsmContext) => SsmResult>([
  ['GetParameter', getParameter],
  ['PutParameter', putParameter],
]);

export function handleSsm(operation: string, body: Buffer, ctx: SsmContext): SsmResult {
  const run = SSM_OPERATIONS.get(operation);
  if (!run) return { error: awsError(400, 'UnknownOperationException', `Operation ${operation} is not supported by the local SSM.`) };
  let input: unknown;
  try {
    input = JSON.parse(body.toString('utf8') || '{}');
  } catch {
    return { error: awsError(400, 'SerializationException', 'The request body is not valid JSON.') };
  }
  if (typeof input !== 'object' || input === null)
    return { error: awsError(400, 'SerializationException', 'The request body is not a JSON object.') };
  return run(input as Record<string, unknown>, ctx);
}
