// `npm run bench` (full) and `npm run bench:quick` (CI). Both measure the bundles of the last
// `npx sls package --stage ci` (.serverless/; `.ci/run` packages before the bench) and stop, exit
// code 2, naming that command, when there is none or its vend bundle no longer matches the
// sources. A full run writes bench/results.json and puts the table into bench/README.md; a quick
// run writes test-results/bench-quick.json, so it never replaces the committed full results. Both
// print the markdown table. Quick mode exits non-zero when a counted budget (bundle bytes, calls
// per issuance, audit items) is not met; timings are reported, never gated. `--only audit`
// measures only the expiry audit (both sizes, or 10,000 with --quick; no package needed), prints
// its rows and writes nothing: bench/results.json stays the last whole run's. `--only scope` measures
// only the scope check (issue 15's hostile scope; in process, no package), prints its rows, writes nothing.
// `--only bundle` measures only the bundle-bytes row (the baseline packaged like the package of the
// last `sls package`; no stack, no timings), prints it and writes nothing; exit 1 when over budget.
// `--only console` measures only the web console's assets (built in memory, gzipped; no package), prints
// its rows, writes nothing, and exits 1 when they are over the budget.
// `--only token` measures only token-authenticated issuance (issue 17) and the baseline beside it,
// warm and cold (needs the package, like the whole bench), prints its rows and writes nothing.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAuditBench, runBench, runBundleBench, runTokenBench } from './bench';
import { measureConsole } from './console';
import {
  auditTable,
  type Budget,
  consoleBudgets,
  consoleRows,
  failedCountedBudgets,
  markdownTable,
  scopeBudgets,
  scopeRows,
  tokenTable,
  withResults,
} from './report';
import { measureScope } from './scope';

const RESULTS = fileURLToPath(new URL('./results.json', import.meta.url));
const QUICK_RESULTS = fileURLToPath(new URL('../test-results/bench-quick.json', import.meta.url));
const README = fileURLToPath(new URL('./README.md', import.meta.url));

const PARTS = ['audit', 'scope', 'console', 'token', 'bundle'] as const;

/** `--only <part>`, or undefined for the whole bench; anything else is refused. */
function onlyPart(argv: readonly string[]): (typeof PARTS)[number] | undefined {
  const at = argv.indexOf('--only');
  if (at < 0) return undefined;
  const part = argv[at + 1];
  if (!PARTS.includes(part as (typeof PARTS)[number]))
    throw new Error(`--only takes one of: ${PARTS.join(', ')} (got ${part ?? 'nothing'})`);
  return part as (typeof PARTS)[number];
}

function reportFailed(budgets: readonly Budget[]): Budget[] {
  const failed = failedCountedBudgets(budgets);
  for (const b of failed) {
    process.stderr.write(
      `bench: counted budget not met: ${b.description} = ${b.value} (budget ${b.limit})${b.note ? `; ${b.note}` : ''}\n`,
    );
  }
  return failed;
}

async function main(): Promise<number> {
  const quick = process.argv.includes('--quick');
  const only = onlyPart(process.argv);
  const started = Date.now();
  const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
  if (only === 'scope') {
    const scope = measureScope();
    const budgets = scopeBudgets(scope);
    const rows = [
      ['metric', 'ordinary', 'measured', 'ratio', 'budget', 'status'],
      ['---', '---', '---', '---', '---', '---'],
      ...scopeRows(scope, budgets),
    ];
    process.stdout.write(`${rows.map((row) => `| ${row.join(' | ')} |`).join('\n')}\n`);
    return quick && reportFailed(budgets).length > 0 ? 1 : 0;
  }
  if (only === 'bundle') {
    const { bundles, budget } = await runBundleBench({ quick, log });
    const vend = bundles.handlers.find((h) => h.functions.includes('issueCredentials'))!;
    const rows = [
      ['metric', 'baseline', 'credvend', 'ratio', 'budget', 'status'],
      ['---', '---', '---', '---', '---', '---'],
      [
        'bundle bytes',
        `${bundles.baseline.bytes} B`,
        `${vend.bytes} B`,
        `${bundles.vendRatio.toFixed(3)}x`,
        budget.limit,
        budget.met ? 'met' : 'NOT met',
      ],
    ];
    process.stdout.write(`${rows.map((row) => `| ${row.join(' | ')} |`).join('\n')}\n`);
    return budget.met ? 0 : 1;
  }
  if (only === 'console') {
    const measured = await measureConsole();
    const budgets = consoleBudgets(measured);
    const rows = [
      ['metric', '', 'measured', '', 'budget', 'status'],
      ['---', '---', '---', '---', '---', '---'],
      ...consoleRows(measured, budgets),
    ];
    process.stdout.write(`${rows.map((row) => `| ${row.join(' | ')} |`).join('\n')}\n`);
    return reportFailed(budgets).length > 0 ? 1 : 0;
  }
  if (only === 'audit') {
    const { audit, budgets } = await runAuditBench({ quick, log });
    process.stdout.write(`${auditTable(audit, budgets)}\n`);
    process.stderr.write(`bench: audit done in ${Math.round((Date.now() - started) / 1000)} s; nothing written\n`);
    return quick && reportFailed(budgets).length > 0 ? 1 : 0;
  }
  if (only === 'token') {
    const { token, budgets, machine } = await runTokenBench({ quick, log });
    process.stdout.write(`${tokenTable(token, budgets, machine, quick ? 'quick' : 'full')}\n`);
    process.stderr.write(`bench: token rows done in ${Math.round((Date.now() - started) / 1000)} s; nothing written\n`);
    return quick && reportFailed(budgets).length > 0 ? 1 : 0;
  }
  const results = await runBench({ quick, log });
  const file = quick ? QUICK_RESULTS : RESULTS;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  const table = markdownTable(results);
  process.stdout.write(`${table}\n`);
  if (!quick) writeFileSync(README, withResults(readFileSync(README, 'utf8'), table));
  process.stderr.write(`bench: done in ${Math.round((Date.now() - started) / 1000)} s; results in ${file}\n`);

  return quick && reportFailed(results.budgets).length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(2);
  },
);
