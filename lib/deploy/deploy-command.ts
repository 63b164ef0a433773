// `npm run deploy -- --stage S --region R [--param name=value ...] [--dry-run]`: the Serverless CLI
// command it runs. Stage and region are required (a deploy to a defaulted region is a surprise), and a
// --param must name a param serverless.yml declares, so a typo fails here and not as a silent default.
import { parseOptions, requiredOption, STAGE_PATTERN, UsageError } from './cli';

export const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;

export interface DeployCommand {
  /** Arguments to the Serverless CLI (`sls`). */
  args: string[];
  stage: string;
  region: string;
  dryRun: boolean;
}

export function deployCommand(argv: string[], knownParams: readonly string[]): DeployCommand {
  const values = parseOptions(argv, {
    stage: { type: 'string' },
    region: { type: 'string' },
    param: { type: 'string', multiple: true },
    'dry-run': { type: 'boolean' },
  });
  const stage = requiredOption(values.stage, 'stage', STAGE_PATTERN);
  const region = requiredOption(values.region, 'region', REGION_PATTERN);
  const params = (values.param ?? []).map((p) => {
    const eq = p.indexOf('=');
    const name = eq > 0 ? p.slice(0, eq) : '';
    if (!name) throw new UsageError(`--param ${JSON.stringify(p)}: expected name=value`);
    if (!knownParams.includes(name)) throw new UsageError(`--param ${name}: serverless.yml has no such param (${knownParams.join(', ')})`);
    return `--param=${p}`;
  });
  return { args: ['deploy', '--stage', stage, '--region', region, ...params], stage, region, dryRun: values['dry-run'] ?? false };
}
