// npm run deploy -- --stage S --region R [--param name=value ...] [--dry-run]
// Deploys the stack with the Serverless CLI (osls 4, the open-source continuation of v3) and prints
// its outputs; --dry-run prints the command only.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../lib/deploy/cli';
import { deployCommand } from '../lib/deploy/deploy-command';
import { stageSettings } from '../local/tables';

const USAGE = 'usage: npm run deploy -- --stage S --region R [--param name=value ...] [--dry-run]';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const sls = createRequire(import.meta.url).resolve('serverless/bin/serverless.js');

function run(args: string[]): number {
  const child = spawnSync(process.execPath, [sls, ...args], { cwd: ROOT, stdio: 'inherit' });
  return child.status ?? 1;
}

try {
  const command = deployCommand(process.argv.slice(2), Object.keys(stageSettings('default').params));
  console.log(`sls ${command.args.join(' ')}`);
  if (command.dryRun) {
    console.log('dry run: nothing deployed');
    process.exit(0);
  }
  const status = run(command.args);
  // The stack outputs (ApiUrl, IssuerRoleArn, FederationUserArn, table names) for the next steps.
  process.exit(status === 0 ? run(['info', '--verbose', '--stage', command.stage, '--region', command.region]) : status);
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  console.error(`${err.message}\n${USAGE}`);
  process.exit(2);
}
