// The tenant's binding as its admins see it (read-only: the operator's): GET …/trust, with the trust
// policy its roles need. Operators also edit the binding itself (GET/PUT …/binding) and rotate its
// external ID (rotate, then activate once the tenant's roles trust the next one).
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, tenantPath } from '../api';
import type { Page, PageProps } from '../page';
import { ErrorBox, Json, Section, useAction, useLoad } from '../ui';

interface StoredBinding {
  version: number;
  externalId: string;
  nextExternalId: string | null;
  roles: Record<string, unknown>;
  federation: unknown;
  maxDurationSeconds: number | null;
  maxIssuancesPerMinute: number | null;
}

/** What PUT …/binding takes back: the binding less what credvend owns (version, external IDs). */
function editable(b: StoredBinding): Record<string, unknown> {
  return {
    roles: b.roles,
    ...(b.federation ? { federation: b.federation } : {}),
    ...(b.maxDurationSeconds !== null ? { maxDurationSeconds: b.maxDurationSeconds } : {}),
    ...(b.maxIssuancesPerMinute !== null ? { maxIssuancesPerMinute: b.maxIssuancesPerMinute } : {}),
  };
}

/** Operators: the binding as a JSON editor (PUT with expectedVersion), and the external ID rotation. */
function BindingEditor({ session, tenantId, onChange }: PageProps & { onChange: () => void }) {
  const binding = useLoad(() => api<StoredBinding>(session, 'GET', tenantPath(tenantId, '/binding')), [tenantId]);
  const [draft, setDraft] = useState('');
  const [saved, setSaved] = useState<string>();
  const action = useAction();
  useEffect(() => {
    if (binding.data) setDraft(JSON.stringify(editable(binding.data), null, 2));
  }, [binding.data]);
  const b = binding.data;
  if (binding.error) return <ErrorBox error={binding.error} />;
  if (!b) return <p class="muted">Loading…</p>;
  const act = (what: string, path: string, body: () => unknown) =>
    action.run(async () => {
      setSaved(undefined);
      const res = await api<StoredBinding>(session, path === '' ? 'PUT' : 'POST', tenantPath(tenantId, `/binding${path}`), body());
      setSaved(`${what}: version ${res.version}`);
      binding.reload();
      onChange();
    });
  const save = () =>
    act('Saved', '', () => {
      try {
        return { ...(JSON.parse(draft) as object), expectedVersion: b.version };
      } catch (err) {
        throw new ApiError(0, 'invalid_json', err instanceof Error ? err.message : String(err));
      }
    });
  return (
    <div>
      <ErrorBox error={action.error} />
      <div class="editor">
        <textarea
          data-testid="binding-editor"
          spellcheck={false}
          value={draft}
          onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)}
        />
        <div class="side">
          <p>Version {b.version}. Roles, federation boundary and ceilings; the external IDs are credvend's (below).</p>
          <div class="row">
            <button type="button" class="primary" disabled={action.busy} onClick={save} data-testid="binding-save">
              Save
            </button>
            <button
              type="button"
              disabled={action.busy}
              onClick={() => act('Next external ID generated', '/external-id/rotate', () => ({ expectedVersion: b.version }))}
            >
              Rotate external ID
            </button>
            <button
              type="button"
              disabled={action.busy || !b.nextExternalId}
              onClick={() => act('Next external ID active', '/external-id/activate', () => ({ expectedVersion: b.version }))}
            >
              Activate next external ID
            </button>
          </div>
          {saved && (
            <p class="ok" data-testid="binding-saved">
              {saved}
            </p>
          )}
        </div>
      </div>
    </div>
  );
}

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
            {t.maxDurationSeconds === null ? 'no duration ceiling' : `at most ${t.maxDurationSeconds} s`} ·{' '}
            {t.maxIssuancesPerMinute === null ? 'no rate ceiling' : `${t.maxIssuancesPerMinute} issuances / min per partner`}
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
          <BindingEditor session={session} tenantId={tenantId} onChange={trust.reload} />
        </Section>
      )}
    </div>
  );
}

const page: Page = { id: 'binding', title: 'Binding', for: 'tenant', view: Binding };
export default page;
