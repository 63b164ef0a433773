// npm run federation-user -- --stage S [--rotate] [--grace SECONDS] [--dry-run]
// Creates the federation IAM user's access key (the stack creates the user) and stores it as the SSM
// SecureString the functions read; with --rotate replaces it, deleting the old key only after warm
// functions have re-read the parameter. Runs with the deployer's AWS credentials (README "Deploying to AWS").
import { IAMClient } from '@aws-sdk/client-iam';
import { SSMClient } from '@aws-sdk/client-ssm';
import { parseOptions, requiredOption, STAGE_PATTERN, secondsOption, UsageError } from '../lib/deploy/cli';
import { describeStep, planFederationUser, runFederationUserPlan } from '../lib/deploy/federation-user';
import { readFederationUserState, sdkFederationUserPorts } from '../lib/deploy/federation-user-aws';
import { stageSettings } from '../local/tables';

const USAGE = 'usage: npm run federation-user -- --stage S [--rotate] [--grace SECONDS] [--dry-run]';
/** serverless.yml provider.timeout: a request that loaded the old key may run this long after. */
const FUNCTION_TIMEOUT_SECONDS = 10;

async function main(argv: string[]): Promise<void> {
  const values = parseOptions(argv, {
    stage: { type: 'string' },
    rotate: { type: 'boolean' },
    grace: { type: 'string' },
    'dry-run': { type: 'boolean' },
  });
  const stage = requiredOption(values.stage, 'stage', STAGE_PATTERN);
  const { params } = stageSettings(stage);
  const userName = requiredOption(params.federationUserName, 'federationUserName param');
  const parameter = requiredOption(params.federationParameter, 'federationParameter param');
  // Warm functions re-read the parameter once their copy is cacheTtlSeconds old (lib/sts/federation-client.ts).
  const graceSeconds = secondsOption(values.grace, 'grace', Number(params.cacheTtlSeconds ?? 30) + FUNCTION_TIMEOUT_SECONDS + 5);
  const iam = new IAMClient({});
  const ssm = new SSMClient({});
  const state = await readFederationUserState(iam, ssm, userName, parameter);
  console.log(`federation user ${state.userArn}: access keys ${state.accessKeyIds.join(', ') || 'none'}`);
  console.log(
    `${parameter}: ${state.stored ? `names ${state.stored.accessKeyId}, written ${state.stored.writtenAt.toISOString()}` : 'no key stored'}`,
  );
  const steps = planFederationUser(state, { rotate: values.rotate ?? false, graceSeconds, now: new Date() });
  if (steps.length === 0) {
    console.log('nothing to do: the stored key is the only one');
    return;
  }
  if (values['dry-run']) {
    for (const [i, step] of steps.entries()) console.log(`${i + 1}. ${describeStep(step)}`);
    console.log('dry run: nothing changed');
    return;
  }
  const current = await runFederationUserPlan(state, steps, sdkFederationUserPorts(iam, ssm), (line) => console.log(line));
  console.log(`done: ${parameter} names ${current}`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(`${err.message}\n${USAGE}`);
    process.exit(2);
  }
  // Name and message only: an SDK error object carries the request, never print it whole.
  console.error(`federation-user failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  process.exit(1);
});
