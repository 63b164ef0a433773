// Workload identities (issue 17): a partner's keyless sign-ins by OIDC token. Pick a partner, list its
// identities, create one (PUT with expectedVersion 0), edit one (PUT at the version read), delete one
// (DELETE ?expectedVersion=, after a confirming second click). The API judges issuer, audiences and
// subject; its 422 shows each problem with its path.
import { useState } from 'preact/hooks';
import { api, listAll, tenantPath } from '../api';
import type { Page, PageProps } from '../page';
import type { Partner, WorkloadIdentity } from '../types';
import { ErrorBox, Section, useAction, useLoad, when } from '../ui';
import { emptyForm, formOf, type IdentityForm, requestOf } from '../workload-identity-form';

const subjectText = (s: WorkloadIdentity['subject']) => ('pattern' in s ? `pattern ${s.pattern}` : `exact ${s.exact}`);

function IdentityEditor({
  tenantId,
  editing,
  busy,
  onSubmit,
  onCancel,
}: {
  tenantId: string;
  editing?: WorkloadIdentity;
  busy: boolean;
  onSubmit: (form: IdentityForm) => void;
  onCancel: () => void;
}) {
  const [form, setForm] = useState<IdentityForm>(() => (editing ? formOf(editing) : emptyForm(tenantId)));
  const field =
    (name: keyof IdentityForm) =>
    (e: Event): void =>
      setForm({ ...form, [name]: (e.target as HTMLInputElement).value });
  const submit = (e: Event) => {
    e.preventDefault();
    onSubmit(form);
  };
  return (
    <form onSubmit={submit} class="stack" data-testid="wi-form">
      <label>
        Identity id
        <input
          name="identityId"
          required
          disabled={!!editing}
          placeholder="gh-deploy"
          value={form.identityId}
          onInput={field('identityId')}
        />
      </label>
      <label>
        <span>
          Issuer (the token's <code>iss</code>, an https URL)
        </span>
        <input
          name="issuer"
          required
          placeholder="https://token.actions.githubusercontent.com"
          value={form.issuer}
          onInput={field('issuer')}
        />
      </label>
      <label>
        <span>
          Audiences, one a line (the token's <code>aud</code> must hold one; each names the tenant)
        </span>
        <textarea name="audiences" rows={2} value={form.audiences} onInput={field('audiences')} />
      </label>
      <div class="row">
        <label>
          Subject
          <select name="subjectKind" value={form.subjectKind} onChange={field('subjectKind')}>
            <option value="exact">exact</option>
            <option value="pattern">pattern (* wildcards)</option>
          </select>
        </label>
        <label class="grow">
          &nbsp;
          <input name="subject" required placeholder="repo:acme/app:ref:refs/heads/main" value={form.subject} onInput={field('subject')} />
        </label>
      </div>
      <label>
        <span>
          Required claims, one <code>claim=value</code> a line
        </span>
        <textarea
          name="requiredClaims"
          rows={2}
          placeholder="repository_owner=acme"
          value={form.requiredClaims}
          onInput={field('requiredClaims')}
        />
      </label>
      <label>
        <span>
          Claim tags, one a line (carried by the session as tags <code>oidc:&lt;claim&gt;</code>)
        </span>
        <textarea name="claimTags" rows={2} placeholder="repository" value={form.claimTags} onInput={field('claimTags')} />
      </label>
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>
          {editing ? `Save (version ${editing.version})` : 'Create'}
        </button>
        {editing && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

function Identities({ session, tenantId, partnerId }: PageProps & { partnerId: string }) {
  const base = tenantPath(tenantId, `/partners/${encodeURIComponent(partnerId)}/workload-identities`);
  const identities = useLoad(() => listAll<WorkloadIdentity>(session, base), [base]);
  const [editing, setEditing] = useState<WorkloadIdentity>();
  const [confirming, setConfirming] = useState<string>();
  const [done, setDone] = useState<string>();
  // A new form after each write, so a created identity's fields do not linger in the next one.
  const [formKey, setFormKey] = useState(0);
  const action = useAction();
  const write = (what: (wi: WorkloadIdentity) => string, call: () => Promise<WorkloadIdentity>) =>
    action.run(async () => {
      setDone(undefined);
      const wi = await call();
      setDone(what(wi));
      setEditing(undefined);
      setConfirming(undefined);
      setFormKey((k) => k + 1);
      identities.reload();
    });
  const save = (form: IdentityForm) =>
    write(
      (wi) => (editing ? `Saved ${wi.identityId}: version ${wi.version}` : `Created ${wi.identityId} (version ${wi.version})`),
      () => {
        const id = editing?.identityId ?? form.identityId.trim();
        const body = requestOf(form, editing?.version ?? 0);
        return api<WorkloadIdentity>(session, 'PUT', `${base}/${encodeURIComponent(id)}`, body);
      },
    );
  const remove = (wi: WorkloadIdentity) =>
    write(
      (w) => `Deleted ${w.identityId}`,
      () => api<WorkloadIdentity>(session, 'DELETE', `${base}/${encodeURIComponent(wi.identityId)}?expectedVersion=${wi.version}`),
    );
  return (
    <>
      <Section title={`Workload identities of ${partnerId}`}>
        <ErrorBox error={identities.error} />
        {identities.data?.length === 0 && <p class="muted">None: this partner signs in with API keys only.</p>}
        <div class="scroll">
          <table data-testid="workload-identities">
            <tr>
              <th>identity</th>
              <th>issuer</th>
              <th>audiences</th>
              <th>subject</th>
              <th>required claims</th>
              <th>claim tags</th>
              <th>version · updated</th>
              <th />
            </tr>
            {identities.data?.map((wi) => (
              <tr data-testid={`wi-${wi.identityId}`}>
                <td class="mono">{wi.identityId}</td>
                <td class="mono break">{wi.issuer}</td>
                <td class="mono">{wi.audiences.join(', ')}</td>
                <td class="mono">{subjectText(wi.subject)}</td>
                <td class="mono">
                  {Object.entries(wi.requiredClaims)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(', ') || '—'}
                </td>
                <td class="mono">{wi.claimTags.join(', ') || '—'}</td>
                <td>
                  {wi.version} · {when(wi.updatedAt)}
                </td>
                <td class="actions">
                  {confirming === wi.identityId ? (
                    <>
                      <button type="button" class="danger" disabled={action.busy} onClick={() => remove(wi)}>
                        Delete {wi.identityId}
                      </button>
                      <button type="button" onClick={() => setConfirming(undefined)}>
                        Keep
                      </button>
                    </>
                  ) : (
                    <>
                      <button
                        type="button"
                        onClick={() => {
                          setEditing(wi);
                          setFormKey((k) => k + 1);
                        }}
                      >
                        Edit
                      </button>
                      <button type="button" class="danger" onClick={() => setConfirming(wi.identityId)}>
                        Delete
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </table>
        </div>
      </Section>
      <Section title={editing ? `Edit ${editing.identityId}` : 'New workload identity'}>
        <ErrorBox error={action.error} />
        {done && (
          <p class="ok" data-testid="wi-done">
            {done}
          </p>
        )}
        <IdentityEditor
          key={formKey}
          tenantId={tenantId}
          editing={editing}
          busy={action.busy}
          onSubmit={save}
          onCancel={() => {
            setEditing(undefined);
            setFormKey((k) => k + 1);
          }}
        />
      </Section>
    </>
  );
}

function WorkloadIdentities(props: PageProps) {
  const { session, tenantId } = props;
  const partners = useLoad(() => listAll<Partner>(session, tenantPath(tenantId, '/partners')), [tenantId]);
  const [picked, setPicked] = useState('');
  const partnerId = picked || partners.data?.[0]?.partnerId || '';
  if (partners.error) return <ErrorBox error={partners.error} />;
  if (!partners.data) return <p class="muted">Loading…</p>;
  return (
    <div>
      <p class="muted">
        A workload (a CI job, a pod) signs in as a partner with its platform's OIDC token instead of an API key: credvend checks the token's
        issuer, audience, subject and required claims against these identities.
      </p>
      <label class="picker">
        Partner{' '}
        <select data-testid="wi-partner" value={partnerId} onChange={(e) => setPicked((e.target as HTMLSelectElement).value)}>
          {partners.data.map((p) => (
            <option value={p.partnerId}>
              {p.partnerId}
              {p.status === 'disabled' ? ' (disabled)' : ''}
            </option>
          ))}
        </select>
      </label>
      {partnerId ? <Identities key={partnerId} {...props} partnerId={partnerId} /> : <p>No partners yet: create one first.</p>}
    </div>
  );
}

const page: Page = { id: 'workload-identities', title: 'Workload identities', for: 'tenant', view: WorkloadIdentities };
export default page;
