// The tenant's binding as its admins see it (read-only: the operator's): GET …/trust, with the trust
// policy its roles need. Operators also see the binding itself (GET …/binding).
import { api, tenantPath } from '../api';
import type { Page, PageProps } from '../page';
import { ErrorBox, Json, Section, useLoad } from '../ui';

interface Trust {
  externalId: string;
  nextExternalId: string | null;
  issuerPrincipalArn: string;
  roles: { name: string; roleArn: string; maxSessionDuration: number }[];
  federation: { resourceBoundary: string[]; managedPolicyArns?: string[] } | null;
  maxDurationSeconds: number | null;
  maxIssuancesPerMinute: number | null;
  trustPolicy: unknown;
}

function Binding({ session, tenantId }: PageProps) {
  const trust = useLoad(() => api<Trust>(session, 'GET', tenantPath(tenantId, '/trust')), [tenantId]);
  const binding = useLoad(
    async () => (session.kind === 'operator' ? api<unknown>(session, 'GET', tenantPath(tenantId, '/binding')) : undefined),
    [tenantId],
  );
  if (trust.error) return <ErrorBox error={trust.error} />;
  const t = trust.data;
  if (!t) return <p class="muted">Loading…</p>;
  return (
    <div data-testid="binding">
      <Section title="Trust">
        <dl>
          <dt>External ID</dt>
          <dd class="mono">{t.externalId}</dd>
          <dt>Next external ID (rotation pending)</dt>
          <dd class="mono">{t.nextExternalId ?? '—'}</dd>
          <dt>Principal your roles trust</dt>
          <dd class="mono">{t.issuerPrincipalArn}</dd>
          <dt>Ceilings</dt>
          <dd>
            duration {t.maxDurationSeconds ?? '—'} s · {t.maxIssuancesPerMinute ?? '—'} issuances / min per partner
          </dd>
          <dt>Federation boundary</dt>
          <dd class="mono">{t.federation ? t.federation.resourceBoundary.join(', ') : 'federation off'}</dd>
        </dl>
        <table>
          <tr>
            <th>role name</th>
            <th>role ARN</th>
            <th>max session</th>
          </tr>
          {t.roles.map((r) => (
            <tr>
              <td>{r.name}</td>
              <td class="mono">{r.roleArn}</td>
              <td>{r.maxSessionDuration} s</td>
            </tr>
          ))}
        </table>
      </Section>
      <Section title="Trust policy for your roles">
        <Json value={t.trustPolicy} />
      </Section>
      {session.kind === 'operator' && (
        <Section title="Binding (operator)">
          <ErrorBox error={binding.error} />
          {binding.data !== undefined && <Json value={binding.data} />}
        </Section>
      )}
    </div>
  );
}

const page: Page = { id: 'binding', title: 'Binding', for: 'tenant', view: Binding };
export default page;
