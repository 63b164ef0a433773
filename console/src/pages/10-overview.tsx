// What was issued, to whom, what is live and expiring, what the audit found: from the issuance ledger
// (GET …/issuances, the last 24 hours) and the expiry audit's reports (GET …/audit-reports).
import { listAll, tenantPath } from '../api';
import { Bars, TimeChart } from '../charts';
import { findingsByCode, perHour } from '../overview-data';
import type { Page, PageProps } from '../page';
import type { AuditReport, Issuance } from '../types';
import { ErrorBox, Section, useLoad, when } from '../ui';

const HOUR = 3600;
const SOON_SECONDS = 15 * 60;

function Overview({ session, tenantId }: PageProps) {
  const data = useLoad(async () => {
    const from = new Date(Date.now() - 24 * HOUR * 1000).toISOString();
    const [issuances, reports] = await Promise.all([
      listAll<Issuance>(session, tenantPath(tenantId, `/issuances?from=${encodeURIComponent(from)}`)),
      listAll<AuditReport>(session, tenantPath(tenantId, '/audit-reports'), 1),
    ]);
    return { issuances, reports, now: Date.now() / 1000 };
  }, [tenantId]);
  if (data.error) return <ErrorBox error={data.error} />;
  if (!data.data) return <p class="muted">Loading…</p>;
  const { issuances, reports, now } = data.data;
  const live = issuances.filter((i) => Date.parse(i.expiresAt) / 1000 > now);
  const soon = live.filter((i) => Date.parse(i.expiresAt) / 1000 <= now + SOON_SECONDS);
  const latest = reports[0];
  const findings = findingsByCode(reports);
  return (
    <div>
      <div class="stats">
        <div class="stat" data-testid="stat-issued">
          <span>{issuances.length}</span> issued in 24 h
        </div>
        <div class="stat" data-testid="stat-live">
          <span>{live.length}</span> live credentials
        </div>
        <div class="stat" data-testid="stat-expiring">
          <span>{soon.length}</span> expiring within 15 min
        </div>
        <div class="stat">
          <span>{latest?.liveCredentials ?? '—'}</span> live at the last audit
        </div>
      </div>
      <Section title="Issuances per hour, by partner and mode (last 24 h)">
        {issuances.length ? <TimeChart data={perHour(issuances, now)} testid="chart-issuances" /> : <p class="muted">No issuances.</p>}
      </Section>
      <Section title="Expiring soon">
        {soon.length ? (
          <table data-testid="expiring">
            <tr>
              <th>partner</th>
              <th>mode</th>
              <th>expires</th>
              <th>principal</th>
            </tr>
            {soon.map((i) => (
              <tr>
                <td>{i.partnerId}</td>
                <td>{i.mode}</td>
                <td>{when(i.expiresAt)}</td>
                <td class="mono">{i.principalArn}</td>
              </tr>
            ))}
          </table>
        ) : (
          <p class="muted">Nothing expires in the next 15 minutes.</p>
        )}
      </Section>
      <Section title={`Audit findings by code (last ${reports.length} reports)`}>
        <p class="muted">
          Refused issuance requests are not recorded by the API (only in the function logs); these are the expiry audit's findings.
        </p>
        {Object.keys(findings).length ? <Bars counts={findings} testid="chart-findings" /> : <p class="muted">No findings.</p>}
      </Section>
    </div>
  );
}

const page: Page = { id: 'overview', title: 'Overview', for: 'tenant', view: Overview };
export default page;
