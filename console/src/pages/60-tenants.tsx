// Operator: tenants (create, disable/enable) and their admin keys (create: shown once; revoke by id).
import { useState } from 'preact/hooks';
import { api, listAll, tenantPath } from '../api';
import type { Page, PageProps } from '../page';
import type { NewApiKey, Tenant } from '../types';
import { ErrorBox, NewSecret, Section, useAction, useLoad, when } from '../ui';

function Tenants({ session }: PageProps) {
  const tenants = useLoad(() => listAll<Tenant>(session, '/v1/tenants'), []);
  const [form, setForm] = useState({ tenantId: '', name: '' });
  const [revoke, setRevoke] = useState({ tenantId: '', keyId: '' });
  const [secret, setSecret] = useState<NewApiKey & { tenantId?: string }>();
  const action = useAction();
  const run = (fn: () => Promise<void>) => action.run(fn);
  return (
    <div>
      {secret && (
        <NewSecret label={`Admin key ${secret.keyId} of ${secret.tenantId}`} secret={secret.apiKey} onDone={() => setSecret(undefined)} />
      )}
      <ErrorBox error={tenants.error ?? action.error} />
      <Section title="Tenants">
        <table data-testid="tenants">
          <tr>
            <th>tenant</th>
            <th>name</th>
            <th>status</th>
            <th>created</th>
            <th />
          </tr>
          {tenants.data?.map((t) => (
            <tr data-testid={`tenant-${t.tenantId}`}>
              <td class="mono">{t.tenantId}</td>
              <td>{t.name}</td>
              <td>{t.status}</td>
              <td>{when(t.createdAt)}</td>
              <td>
                <button
                  type="button"
                  class={t.status === 'enabled' ? 'danger' : ''}
                  onClick={() =>
                    run(async () => {
                      await api(session, 'POST', tenantPath(t.tenantId, t.status === 'enabled' ? '/disable' : '/enable'));
                      tenants.reload();
                    })
                  }
                >
                  {t.status === 'enabled' ? 'Disable' : 'Enable'}
                </button>
                <button
                  type="button"
                  onClick={() => run(async () => setSecret(await api<NewApiKey>(session, 'POST', tenantPath(t.tenantId, '/admin-keys'))))}
                >
                  New admin key
                </button>
              </td>
            </tr>
          ))}
        </table>
      </Section>
      <Section title="New tenant">
        <form
          class="row"
          data-testid="new-tenant"
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              await api(session, 'POST', '/v1/tenants', form);
              setForm({ tenantId: '', name: '' });
              tenants.reload();
            });
          }}
        >
          <input
            name="tenantId"
            placeholder="tenant id"
            required
            value={form.tenantId}
            onInput={(e) => setForm({ ...form, tenantId: (e.target as HTMLInputElement).value })}
          />
          <input
            name="name"
            placeholder="name"
            required
            value={form.name}
            onInput={(e) => setForm({ ...form, name: (e.target as HTMLInputElement).value })}
          />
          <button type="submit" disabled={action.busy}>
            Create
          </button>
        </form>
      </Section>
      <Section title="Revoke a tenant admin key">
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              await api(session, 'DELETE', tenantPath(revoke.tenantId, `/admin-keys/${encodeURIComponent(revoke.keyId)}`));
              setRevoke({ tenantId: '', keyId: '' });
            });
          }}
        >
          <input
            placeholder="tenant id"
            required
            value={revoke.tenantId}
            onInput={(e) => setRevoke({ ...revoke, tenantId: (e.target as HTMLInputElement).value })}
          />
          <input
            placeholder="ak-…"
            required
            value={revoke.keyId}
            onInput={(e) => setRevoke({ ...revoke, keyId: (e.target as HTMLInputElement).value })}
          />
          <button type="submit" class="danger" disabled={action.busy}>
            Revoke
          </button>
        </form>
        <p class="muted">The API lists no admin keys; the key id is the part after cv1. of the key (ak-…).</p>
      </Section>
    </div>
  );
}

const page: Page = { id: 'tenants', title: 'Tenants', for: 'operator', view: Tenants };
export default page;
