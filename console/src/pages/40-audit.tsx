// The expiry audit's reports for the tenant, newest first (GET …/audit-reports).
import { useState } from 'preact/hooks';
import { listAll, tenantPath } from '../api';
import type { Page, PageProps } from '../page';
import type { AuditReport } from '../types';
import { ErrorBox, Json, useLoad, when } from '../ui';

function Audit({ session, tenantId }: PageProps) {
  const reports = useLoad(() => listAll<AuditReport>(session, tenantPath(tenantId, '/audit-reports'), 2), [tenantId]);
  const [open, setOpen] = useState<string>();
  if (reports.error) return <ErrorBox error={reports.error} />;
  if (!reports.data) return <p class="muted">Loading…</p>;
  if (reports.data.length === 0) return <p class="muted">No audit reports yet (the expiry audit runs on its schedule).</p>;
  return (
    <table data-testid="audit-reports">
      <tr>
        <th>window</th>
        <th>issued</th>
        <th>expired</th>
        <th>live</th>
        <th>flags (disabled / over max / invalid)</th>
        <th>policy problems</th>
        <th />
      </tr>
      {reports.data.map((r) => (
        <>
          <tr>
            <td>
              {when(r.windowStart)} – {when(r.windowEnd)}
            </td>
            <td>{r.issuedInWindow ?? '—'}</td>
            <td>{r.expiredInWindow ?? '—'}</td>
            <td>{r.liveCredentials ?? '—'}</td>
            <td>
              {r.flagCounts
                ? `${r.flagCounts.liveCredentialsOfDisabled} / ${r.flagCounts.overMaxDuration} / ${r.flagCounts.invalidRecords}`
                : '—'}
              {r.truncated ? ' (lists cut)' : ''}
            </td>
            <td>{r.policyProblems?.map((p) => p.code).join(', ') || '—'}</td>
            <td>
              <button type="button" onClick={() => setOpen(open === r.runId ? undefined : r.runId)}>
                Details
              </button>
            </td>
          </tr>
          {open === r.runId && (
            <tr>
              <td colSpan={7}>
                <Json value={r} />
              </td>
            </tr>
          )}
        </>
      ))}
    </table>
  );
}

const page: Page = { id: 'audit', title: 'Audit reports', for: 'tenant', view: Audit };
export default page;
