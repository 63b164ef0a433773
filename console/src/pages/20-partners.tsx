// Partners and their keys: create, disable/enable, create/rotate/revoke keys (a new secret shown once).
// "Also revoke live sessions" makes a disable or a key revoke ?revokeSessions=true: the partner's sessions
// issued until now are revoked too (issue 16), and the answer's revocation is shown with its state.
import { useState } from 'preact/hooks';
import { api, listAll, tenantPath } from '../api';
import type { Page, PageProps } from '../page';
import { RevocationState } from '../revocation';
import type { ApiKey, NewApiKey, Partner, Revocation } from '../types';
import { ErrorBox, NewSecret, Section, useAction, useLoad, when } from '../ui';

type Revoked = { revocation?: Revocation };
const withSessions = (path: string, revokeSessions: boolean) => (revokeSessions ? `${path}?revokeSessions=true` : path);

/** What a disable or a key revoke did, with the revocation it made when asked to. */
function Done({ what, revocation }: { what: string; revocation?: Revocation }) {
  return (
    <p class="ok" data-testid="partner-done">
      {what}
      {revocation && (
        <>
          ; its sessions issued until now: revocation <span class="mono">{revocation.revocationId}</span>{' '}
          <RevocationState revocation={revocation} />
        </>
      )}
    </p>
  );
}

function Keys({
  session,
  tenantId,
  partner,
  revokeSessions,
  onSecret,
  onDone,
}: PageProps & {
  partner: Partner;
  revokeSessions: boolean;
  onSecret: (k: NewApiKey) => void;
  onDone: (what: string, r?: Revocation) => void;
}) {
  const base = tenantPath(tenantId, `/partners/${encodeURIComponent(partner.partnerId)}/keys`);
  const keys = useLoad(() => listAll<ApiKey>(session, base), [base]);
  const action = useAction();
  const act = (method: string, path: string, shows: boolean) =>
    action.run(async () => {
      const res = await api<NewApiKey & Revoked>(session, method, path);
      if (shows) onSecret(res);
      else onDone(`Key ${res.keyId} revoked`, res.revocation);
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
                  <button
                    type="button"
                    class="danger"
                    disabled={action.busy}
                    onClick={() => act('DELETE', withSessions(`${base}/${k.keyId}`, revokeSessions), false)}
                  >
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
  const [revokeSessions, setRevokeSessions] = useState(false);
  const [done, setDone] = useState<{ what: string; revocation?: Revocation }>();
  const onDone = (what: string, revocation?: Revocation) => setDone({ what, revocation });
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
      setDone(undefined);
      const path = tenantPath(tenantId, `/partners/${p.partnerId}/${p.status === 'enabled' ? 'disable' : 'enable'}`);
      const res = await api<Partner & Revoked>(session, 'POST', p.status === 'enabled' ? withSessions(path, revokeSessions) : path);
      onDone(`Partner ${res.partnerId} ${res.status}`, res.revocation);
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
      {done && <Done {...done} />}
      <Section title="Partners">
        <label class="picker">
          <input
            type="checkbox"
            data-testid="revoke-sessions"
            checked={revokeSessions}
            onChange={(e) => setRevokeSessions((e.target as HTMLInputElement).checked)}
          />
          Disable and key Revoke also revoke live sessions (the partner's credentials issued until now, refused at AWS)
        </label>
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
                    <Keys {...props} partner={p} revokeSessions={revokeSessions} onSecret={setSecret} onDone={onDone} />
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
