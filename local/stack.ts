// The whole local AWS side on this machine: dynalite with the tables of serverless.yml and the
// local STS (with its SSM parameter for federation keys). Credentials are random per run.
import { randomBytes } from 'node:crypto';
import { type LocalDynamo, startLocalDynamoWithTables } from './dynamo';
import { EXTERNAL_ID_PATTERN, LIMITS } from './sts/limits';
import { type LocalSts, type LocalStsUser, startLocalSts, type TrustPolicyDocument } from './sts/server';

export const LOCAL_ACCOUNT = '123456789012';
export const LOCAL_REGION = 'us-east-1';

export interface LocalStack {
  stage: string;
  dynamo: LocalDynamo;
  sts: LocalSts;
  /** The function's own identity (signs AssumeRole and DynamoDB calls). */
  functionUser: LocalStsUser;
  /** The IAM user whose long-term keys sign GetFederationToken, served from the local SSM (named as serverless.yml's federationUserName). */
  federationUser: LocalStsUser;
  /** Whoever deploys: the AWS identity the deploy scripts (federation user setup, bootstrap) run as. */
  deployer: LocalStsUser;
  demoRoleArn: string;
  /** The external id the demo role's trust policy requires (sts:ExternalId). */
  demoExternalId: string;
  federationParameter: string;
  /** Environment for code under test or serverless-offline: tables, endpoints, credentials. */
  env: Record<string, string> & { MAIN_TABLE: string; ISSUANCE_TABLE: string };
  /** Environment for the deploy scripts: every endpoint (IAM too), the deployer's credentials. */
  deployerEnv: Record<string, string>;
  close(): Promise<void>;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function localUser(userName: string): LocalStsUser {
  const id = Array.from(randomBytes(16), (b) => ALNUM[b % ALNUM.length]).join('');
  return { userName, accessKeyId: `AKIA${id}`, secretAccessKey: randomBytes(30).toString('base64') };
}

/**
 * The demo role trusts the function's IAM user only, and only with the demo external id: the
 * confused-deputy guard of DESIGN.md "Trust model". Tags and source identity are allowed because
 * credvend sends both on every AssumeRole.
 */
export function demoTrustPolicy(functionUserArn: string, externalId: string): TrustPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'CredvendFunction',
        Effect: 'Allow',
        Principal: { AWS: functionUserArn },
        Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
        Condition: { StringEquals: { 'sts:ExternalId': externalId } },
      },
    ],
  };
}

export interface LocalStackOptions {
  stage: string;
  dynamoPort?: number;
  stsPort?: number;
  dynamoPath?: string;
  /** The demo role's external id; default 32 random hex characters. */
  demoExternalId?: string;
}

export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const { stage } = opts;
  const demoExternalId = opts.demoExternalId ?? randomBytes(16).toString('hex');
  const { min, max } = LIMITS.externalId;
  if (demoExternalId.length < min || demoExternalId.length > max || !EXTERNAL_ID_PATTERN.test(demoExternalId)) {
    throw new Error(`demoExternalId must be ${min}-${max} characters of ${EXTERNAL_ID_PATTERN.source}`);
  }
  const functionUser = localUser('credvend-function');
  // No inline policy, as in serverless.yml (its permissions are the managed credvend-<stage>-federation there; the
  // emulator evaluates only Deny statements, so it needs none): credvend's revocations have its whole 2,048 characters.
  const federationUser = localUser(`credvend-${stage}-federation`);
  const deployer = localUser('credvend-deployer');
  // Under credvend/, the path the function may assume by default (serverless.yml tenantRolePattern).
  const demoRoleArn = `arn:aws:iam::${LOCAL_ACCOUNT}:role/credvend/demo-partner`;
  const federationParameter = `/credvend/${stage}/federation-user`;
  const sts = await startLocalSts({
    port: opts.stsPort ?? 0,
    accountId: LOCAL_ACCOUNT,
    users: [functionUser, federationUser, deployer],
    roles: [
      {
        arn: demoRoleArn,
        maxSessionDuration: 14_400,
        trustPolicy: demoTrustPolicy(`arn:aws:iam::${LOCAL_ACCOUNT}:user/${functionUser.userName}`, demoExternalId),
      },
    ],
    parameters: [
      {
        name: federationParameter,
        type: 'SecureString',
        value: JSON.stringify({ accessKeyId: federationUser.accessKeyId, secretAccessKey: federationUser.secretAccessKey }),
      },
    ],
    quiet: true,
  });
  let dynamo: LocalDynamo;
  try {
    dynamo = await startLocalDynamoWithTables(stage, { port: opts.dynamoPort, path: opts.dynamoPath });
  } catch (err) {
    await sts.close();
    throw err;
  }
  const env = {
    STAGE: stage,
    MAIN_TABLE: `credvend-${stage}-main`,
    ISSUANCE_TABLE: `credvend-${stage}-issuances`,
    FEDERATION_CREDENTIALS_PARAMETER: federationParameter,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: functionUser.accessKeyId,
    AWS_SECRET_ACCESS_KEY: functionUser.secretAccessKey,
    AWS_ENDPOINT_URL_STS: sts.url,
    AWS_ENDPOINT_URL_SSM: sts.url,
    // The revocations function writes inline policies on the emulator's roles and federation user.
    AWS_ENDPOINT_URL_IAM: sts.url,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
  };
  const deployerEnv = {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: deployer.accessKeyId,
    AWS_SECRET_ACCESS_KEY: deployer.secretAccessKey,
    AWS_ENDPOINT_URL_STS: sts.url,
    AWS_ENDPOINT_URL_SSM: sts.url,
    AWS_ENDPOINT_URL_IAM: sts.url,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
  };
  return {
    stage,
    dynamo,
    sts,
    functionUser,
    federationUser,
    deployer,
    deployerEnv,
    demoRoleArn,
    demoExternalId,
    federationParameter,
    env,
    close: async () => {
      await Promise.all([sts.close(), dynamo.close()]);
    },
  };
}
