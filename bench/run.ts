// `npm run bench` (full) and `npm run bench:quick` (CI). Writes bench/results.json, prints the
// markdown table; a full run also puts the table into bench/README.md. Quick mode exits non-zero
// when a counted budget (bundle bytes, calls per issuance, audit items) is not met; timings are
// reported, never gated.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runBench } from './bench';
import { failedCountedBudgets, markdownTable, withResults } from './report';

const RESULTS = fileURLToPath(new URL('./results.json', import.meta.url));
const README = fileURLToPath(new URL('./README.md', import.meta.url));

async function main(): Promise<number> {
  const quick = process.argv.includes('--quick');
  const started = Date.now();
  const results = await runBench({ quick, log: (line) => process.stderr.write(`bench: ${line}\n`) });
  writeFileSync(`${RESULTS}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(`${RESULTS}.tmp`, RESULTS);
  const table = markdownTable(results);
  process.stdout.write(`${table}\n`);
  if (!quick) writeFileSync(README, withResults(readFileSync(README, 'utf8'), table));
  process.stderr.write(`bench: done in ${Math.round((Date.now() - started) / 1000)} s; results in bench/results.json\n`);

  const failed = failedCountedBudgets(results.budgets);
  for (const b of failed) {
    process.stderr.write(`bench: counted budget not met: ${b.description} = ${b.value} (budget ${b.limit})${b.note ? `; ${b.note}` : ''}\n`);
  }
  return quick && failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(2);
  },
);
