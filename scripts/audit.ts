// `npm run audit`: runs the expiry audit from this machine with the same environment configuration
// as the scheduled handler (STAGE / MAIN_TABLE / ISSUANCE_TABLE, AWS_* for the endpoint and region).
// Progress goes to stderr; the summary of each window, as JSON, to stdout. Keeps auditing window
// after window until caught up, unless --once is given.

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type AuditProgress, runAudit } from '../lib/audit/audit';
import { runSummary } from '../lib/audit/telemetry';
import { auditConfig, auditDeps } from '../lib/wiring/audit';

const once = process.argv.includes('--once');
const owner = `cli:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

function progressLine(p: AuditProgress): void {
  process.stderr.write(
    `audit: ${p.expiringInWindow} expiring and ${p.issuedInWindow} issued items read, ${p.expiredNow} marked expired, ` +
      `hour bucket ${Math.min(p.buckets.done + 1, p.buckets.total)}/${p.buckets.total}, tenant ${p.tenants.done}/${p.tenants.total}\n`,
  );
}

async function main(): Promise<number> {
  process.stderr.write(
    `audit: lookback ${auditConfig.lookbackHours} h, window at most ${auditConfig.maxWindowHours} h, ending ${auditConfig.settleSeconds} s before now\n`,
  );
  for (;;) {
    const started = Date.now();
    const result = await runAudit(auditDeps({ owner, onProgress: progressLine }));
    const summary = runSummary(result, Date.now() - started);
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    if (result.status === 'locked') process.stderr.write('audit: another run holds the window; try again later\n');
    if (once || result.status !== 'completed' || result.caughtUp) return result.status === 'locked' ? 2 : 0;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const cause = (err as Error).cause as Error | undefined;
    process.stderr.write(`audit failed: ${(err as Error).message}${cause ? ` (${cause.name}: ${cause.message})` : ''}\n`);
    process.exit(1);
  },
);
