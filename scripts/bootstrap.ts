// npm run bootstrap -- --stage S [--add]
// Creates a deployment's first operator key straight in the stage's main table, with the deployer's
// AWS credentials, and prints it once. Refused while an active operator key exists, unless --add.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { bootstrapOperatorKey } from '../lib/admin/operator-keys';
import { AppError } from '../lib/core/errors';
import { parseOptions, requiredOption, STAGE_PATTERN, UsageError } from '../lib/deploy/cli';
import { DynamoDirectoryAdmin } from '../lib/store/directory-admin';
import { stageSettings } from '../local/tables';

const USAGE = 'usage: npm run bootstrap -- --stage S [--add]';

async function main(argv: string[]): Promise<void> {
  const values = parseOptions(argv, { stage: { type: 'string' }, add: { type: 'boolean' } });
  const stage = requiredOption(values.stage, 'stage', STAGE_PATTERN);
  const { mainTable } = stageSettings(stage);
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  try {
    const created = await bootstrapOperatorKey(new DynamoDirectoryAdmin(client, mainTable), { add: values.add ?? false, now: new Date() });
    console.error(
      `operator key ${created.record.keyId} created in ${mainTable}` +
        (created.othersActive ? ` (${created.othersActive} other active operator key(s))` : '') +
        '. It is shown once, below: keep it in a secret store (CREDVEND_OPERATOR_KEY).',
    );
    // The key alone on stdout, so it can be piped into a secret store.
    console.log(created.apiKey);
  } finally {
    client.destroy();
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(`${err.message}\n${USAGE}`);
    process.exit(2);
  }
  if (err instanceof AppError && err.code === 'operator_key_exists') {
    console.error(`bootstrap refused: ${err.message}`);
    process.exit(3);
  }
  console.error(`bootstrap failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  process.exit(1);
});
