// Just enough SSM Parameter Store (JSON 1.1 protocol, `X-Amz-Target: AmazonSSM.GetParameter`) for
// code that loads long-term keys from a SecureString parameter at cold start.
import { createHmac } from 'node:crypto';
import { type AwsError, awsError } from './errors';
import type { LocalStsParameter } from './types';

export const SSM_TARGET_PREFIX = 'AmazonSSM.';

export interface SsmContext {
  accountId: string;
  region: string;
  nowMs: number;
  parameters: Map<string, LocalStsParameter>;
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

function getParameter(input: Record<string, unknown>, ctx: SsmContext): SsmResult {
  const { Name: requested, WithDecryption: decrypt } = input;
  if (typeof requested !== 'string') {
    return {
      error: awsError(
        400,
        'ValidationException',
        "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
      ),
    };
  }
  // Every parameter here is at version 1, so `name:1` selects the same one.
  const name = requested.replace(/:1$/, '');
  const parameter = ctx.parameters.get(name);
  if (!parameter) return { error: awsError(400, 'ParameterNotFound', `Parameter ${requested} not found.`) };
  const hidden = parameter.type === 'SecureString' && decrypt !== true;
  const value = hidden ? `AQICAH${createHmac('sha256', ctx.cipherKey).update(parameter.value).digest('base64')}` : parameter.value;
  return {
    body: {
      Parameter: {
        ARN: parameterArn(ctx, parameter.name),
        DataType: 'text',
        LastModifiedDate: Math.floor(ctx.nowMs / 1000),
        Name: parameter.name,
        Type: parameter.type,
        Value: value,
        Version: 1,
      },
    },
  };
}

export function handleSsm(operation: string, body: Buffer, ctx: SsmContext): SsmResult {
  if (operation !== 'GetParameter')
    return { error: awsError(400, 'UnknownOperationException', `Operation ${operation} is not supported by the local SSM.`) };
  let input: unknown;
  try {
    input = JSON.parse(body.toString('utf8') || '{}');
  } catch {
    return { error: awsError(400, 'SerializationException', 'The request body is not valid JSON.') };
  }
  if (typeof input !== 'object' || input === null)
    return { error: awsError(400, 'SerializationException', 'The request body is not a JSON object.') };
  return getParameter(input as Record<string, unknown>, ctx);
}
