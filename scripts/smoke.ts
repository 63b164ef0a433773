// CREDVEND_OPERATOR_KEY=... npm run smoke -- --endpoint URL --role-arn ARN [--role-max-session-duration S]
// Smoke test of a deployed stack (lib/deploy/smoke.ts says what it does). The role must trust the
// issuing function's role (stack output IssuerRoleArn) with any credvend external ID (README).
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { parseOptions, requiredOption, secondsOption, UsageError } from '../lib/deploy/cli';
import { runSmoke, SmokeFailure, type SmokePorts } from '../lib/deploy/smoke';
import { ROLE_ARN_PATTERN } from '../lib/policy/iam-syntax';

const USAGE = 'usage: CREDVEND_OPERATOR_KEY=... npm run smoke -- --endpoint URL --role-arn ARN [--role-max-session-duration SECONDS]';

function httpPorts(endpoint: string): SmokePorts {
  return {
    api: async (method, path, key, body) => {
      const res = await fetch(new URL(path, endpoint), {
        method,
        headers: {
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: res.status, body: parsed };
    },
    // Region and endpoint from the SDK's own variables (AWS_REGION, AWS_ENDPOINT_URL_STS).
    callerIdentity: async ({ accessKeyId, secretAccessKey, sessionToken }) => {
      // Only the three keys: the API's `expiration` is an ISO string, where the SDK wants a Date.
      const sts = new STSClient({ credentials: { accessKeyId, secretAccessKey, sessionToken } });
      try {
        return (await sts.send(new GetCallerIdentityCommand({}))).Arn ?? '';
      } finally {
        sts.destroy();
      }
    },
  };
}

async function main(argv: string[]): Promise<void> {
  const values = parseOptions(argv, {
    endpoint: { type: 'string' },
    'role-arn': { type: 'string' },
    'role-max-session-duration': { type: 'string' },
  });
  const endpoint = requiredOption(values.endpoint, 'endpoint', /^https?:\/\/\S+$/);
  const roleArn = requiredOption(values['role-arn'], 'role-arn', ROLE_ARN_PATTERN);
  const operatorKey = process.env.CREDVEND_OPERATOR_KEY;
  if (!operatorKey) throw new UsageError('CREDVEND_OPERATOR_KEY must hold an operator key (npm run bootstrap prints one)');
  const roleMaxSessionDuration = secondsOption(values['role-max-session-duration'], 'role-max-session-duration', 3600);
  const tenantId = await runSmoke(httpPorts(endpoint), { operatorKey, roleArn, roleMaxSessionDuration }, (line) => console.log(line));
  console.log(`smoke test passed (tenant ${tenantId}, now disabled)`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(`${err.message}\n${USAGE}`);
    process.exit(2);
  }
  console.error(
    `smoke test failed: ${err instanceof SmokeFailure ? err.message : err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
  );
  process.exit(1);
});
