// `npm run capacity`: the write units per second on the hottest partition key of the issuance table,
// each of its indexes and the rate window items, at 10,000 issuances/s (one tenant 5,000/s, one
// partner 2,000/s) or the load given, and the cost of a million issuances (bench/capacity.ts).
// Exit code 1 when a key is over DynamoDB's 1,000 write units/s, 2 on bad arguments.
//
//   npm run capacity -- [--rate N] [--tenant-rate N] [--partner-rate N] [--layout sharded|legacy]
//                       [--profile typical|large] [--results bench/results.json]
import { parseArgs } from 'node:util';
import { capacityReport, type Profile, TARGET_LOAD } from '../bench/capacity';
import { logger } from '../lib/core/log';
import type { IssuanceLayout } from '../lib/core/table-keys';

function rate(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 1_000_000) throw new Error(`--${name} must be an integer from 0 to 1,000,000`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      rate: { type: 'string' },
      'tenant-rate': { type: 'string' },
      'partner-rate': { type: 'string' },
      layout: { type: 'string', default: 'sharded' },
      profile: { type: 'string', default: 'typical' },
      results: { type: 'string', default: 'bench/results.json' },
    },
  });
  if (values.layout !== 'sharded' && values.layout !== 'legacy') throw new Error('--layout must be sharded or legacy');
  if (values.profile !== 'typical' && values.profile !== 'large') throw new Error('--profile must be typical or large');
  const load = {
    rate: rate(values.rate, TARGET_LOAD.rate, 'rate'),
    tenantRate: rate(values['tenant-rate'], TARGET_LOAD.tenantRate, 'tenant-rate'),
    partnerRate: rate(values['partner-rate'], TARGET_LOAD.partnerRate, 'partner-rate'),
  };
  if (!(load.partnerRate <= load.tenantRate && load.tenantRate <= load.rate)) {
    throw new Error('the load needs --partner-rate <= --tenant-rate <= --rate');
  }
  // The issuance flow logs every issuance it records; the simulation's are not worth a line each.
  logger.setLogLevel('WARN');
  const report = await capacityReport({
    layout: values.layout as IssuanceLayout,
    load,
    profile: values.profile as Profile,
    resultsFile: String(values.results),
  });
  process.stdout.write(`${report.text}\n`);
  return report.over ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`capacity: ${(err as Error).message}\n`);
    process.exit(2);
  },
);
