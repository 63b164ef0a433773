// Partners and their keys: create, disable/enable, create/rotate/revoke keys (a new secret shown once).
import { useState } from 'preact/hooks';
import { api, listAll, tenantPath } from '../api';
import type { Page, PageProps } from '../page';
import type { ApiKey, NewApiKey, Partner } from '../types';
import { ErrorBox, NewSecret, Section, useAction, useLoad, when } from '../ui';

function Keys({ session, tenantId, partner, onSecret }: PageProps & { partner: Partner; onSecret: (k: NewApiKey) => void }) {
  const base = tenantPath(tenantId, `/partners/${encodeURIComponent(partner.partnerId)}/keys`);
  const keys = useLoad(() => listAll<ApiKey>(session, base), [base]);
  const action = useAction();
  const act = (method: string, path: string, shows: boolean) =>
    action.run(async () => {
      const res = await api<NewApiKey>(session, method, path);
      if (shows) onSecret(res);
      keys.reload();
    });
  return (
    <div class="keys" data-testid={`keys-${partner.partnerId}`}>
      <ErrorBox error={keys.error ?? action.error} />
      <table>
        <tr>
          <th>key</th>
          <th>status</th>
          <th>created</th>
          <th>last used</th>
          <th />
        </tr>
        {keys.data?.map((k) => (
          <tr data-testid={`key-${k.keyId}`}>
            <td class="mono">{k.keyId}</td>
            <td>{k.status}</td>
            <td>{when(k.createdAt)}</td>
            <td>{when(k.lastUsedAt)}</td>
            <td>
              {k.status === 'active' && (
                <>
                  <button type="button" disabled={action.busy} onClick={() => act('POST', `${base}/${k.keyId}/rotate`, true)}>
                    Rotate
                  </button>
                  <button type="button" class="danger" disabled={action.busy} onClick={() => act('DELETE', `${base}/${k.keyId}`, false)}>
                    Revoke
                  </button>
                </>
              )}
            </td>
          </tr>
        ))}
      </table>
      <button type="button" disabled={action.busy} onClick={() => act('POST', base, true)} data-testid="new-key">
        New key
      </button>
    </div>
  );
}

function Partners(props: PageProps) {
  const { session, tenantId } = props;
  const partners = useLoad(() => listAll<Partner>(session, tenantPath(tenantId, '/partners')), [tenantId]);
  const [open, setOpen] = useState<string>();
  const [secret, setSecret] = useState<NewApiKey>();
  const [form, setForm] = useState({ partnerId: '', name: '' });
  const action = useAction();
  const create = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      await api(session, 'POST', tenantPath(tenantId, '/partners'), form);
      setOpen(form.partnerId);
      setForm({ partnerId: '', name: '' });
      partners.reload();
    });
  };
  const toggle = (p: Partner) =>
    action.run(async () => {
      await api(session, 'POST', tenantPath(tenantId, `/partners/${p.partnerId}/${p.status === 'enabled' ? 'disable' : 'enable'}`));
      partners.reload();
    });
  return (
    <div>
      {secret && (
        <NewSecret
          label={`New key ${secret.keyId}${secret.rotatedFrom ? ` (replaces ${secret.rotatedFrom})` : ''}`}
          secret={secret.apiKey}
          onDone={() => setSecret(undefined)}
        />
      )}
      <ErrorBox error={partners.error ?? action.error} />
      <Section title="Partners">
        <table data-testid="partners">
          <tr>
            <th>partner</th>
            <th>name</th>
            <th>status</th>
            <th>created</th>
            <th />
          </tr>
          {partners.data?.map((p) => (
            <>
              <tr data-testid={`partner-${p.partnerId}`}>
                <td class="mono">{p.partnerId}</td>
                <td>{p.name}</td>
                <td>{p.status}</td>
                <td>{when(p.createdAt)}</td>
                <td>
                  <button type="button" onClick={() => setOpen(open === p.partnerId ? undefined : p.partnerId)}>
                    Keys
                  </button>
                  <button type="button" class={p.status === 'enabled' ? 'danger' : ''} onClick={() => toggle(p)}>
                    {p.status === 'enabled' ? 'Disable' : 'Enable'}
                  </button>
                </td>
              </tr>
              {open === p.partnerId && (
                <tr>
                  <td colSpan={5}>
                    <Keys {...props} partner={p} onSecret={setSecret} />
                  </td>
                </tr>
              )}
            </>
          ))}
        </table>
      </Section>
      <Section title="New partner">
        <form onSubmit={create} class="row" data-testid="new-partner">
          <input
            name="partnerId"
            placeholder="partner id"
            required
            value={form.partnerId}
            onInput={(e) => setForm({ ...form, partnerId: (e.target as HTMLInputElement).value })}
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
    </div>
  );
}

const page: Page = { id: 'partners', title: 'Partners & keys', for: 'tenant', view: Partners };
export default page;
