// Revocations (issue 16): credentials already issued refused at AWS. The tenant's revocations with their
// state and each place written (GET …/revocations), and a new one (POST …/revocations): a partner's
// sessions issued before a time (empty: now), or one issuance by id. The partners page offers the same
// for a disable or a key revoke (?revokeSessions=true).
import { useState } from 'preact/hooks';
import { api, listAll, tenantPath } from '../api';
import type { Page, PageProps } from '../page';
import { entityText, RevocationState } from '../revocation';
import type { Partner, Revocation, RevocationCreated } from '../types';
import { ErrorBox, Section, useAction, useLoad, when } from '../ui';

function NewRevocation({ session, tenantId, onCreated }: PageProps & { onCreated: () => void }) {
  const partners = useLoad(() => listAll<Partner>(session, tenantPath(tenantId, '/partners')), [tenantId]);
  const [kind, setKind] = useState<'partner' | 'issuance'>('partner');
  const [partnerId, setPartnerId] = useState('');
  const [before, setBefore] = useState('');
  const [issuanceId, setIssuanceId] = useState('');
  const [done, setDone] = useState<RevocationCreated>();
  const action = useAction();
  const chosenPartner = partnerId || partners.data?.[0]?.partnerId || '';
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      setDone(undefined);
      // datetime-local is the browser's local time; the API takes an instant.
      const body =
        kind === 'issuance'
          ? { issuanceId: issuanceId.trim() }
          : { partnerId: chosenPartner, ...(before ? { before: new Date(before).toISOString() } : {}) };
      setDone(await api<RevocationCreated>(session, 'POST', tenantPath(tenantId, '/revocations'), body));
      onCreated();
    });
  };
  return (
    <form onSubmit={submit} class="stack" data-testid="new-revocation">
      <ErrorBox error={partners.error ?? action.error} />
      <div class="row">
        <label class="picker">
          <input type="radio" name="kind" checked={kind === 'partner'} onChange={() => setKind('partner')} />a partner's sessions
        </label>
        <label class="picker">
          <input type="radio" name="kind" checked={kind === 'issuance'} onChange={() => setKind('issuance')} />
          one issuance
        </label>
      </div>
      {kind === 'partner' ? (
        <div class="row">
          <label>
            Partner
            <select name="partnerId" value={chosenPartner} onChange={(e) => setPartnerId((e.target as HTMLSelectElement).value)}>
              {partners.data?.map((p) => (
                <option value={p.partnerId}>{p.partnerId}</option>
              ))}
            </select>
          </label>
          <label>
            Issued before (your local time; empty: now)
            <input
              type="datetime-local"
              name="before"
              step={1}
              value={before}
              onInput={(e) => setBefore((e.target as HTMLInputElement).value)}
            />
          </label>
        </div>
      ) : (
        <label>
          Issuance id (from the overview or GET …/issuances)
          <input
            name="issuanceId"
            required
            class="mono"
            placeholder="00000000-0000-0000-0000-000000000000"
            value={issuanceId}
            onInput={(e) => setIssuanceId((e.target as HTMLInputElement).value)}
          />
        </label>
      )}
      <div class="row">
        <button type="submit" class="danger" disabled={action.busy || (kind === 'partner' && !chosenPartner)}>
          Revoke
        </button>
        {done && (
          <span class="ok" data-testid="rv-done">
            {done.created ? 'Revocation' : 'Already revoked as'} {done.revocation.revocationId}:{' '}
            <RevocationState revocation={done.revocation} />
          </span>
        )}
      </div>
    </form>
  );
}

function Revocations(props: PageProps) {
  const { session, tenantId } = props;
  const revocations = useLoad(() => listAll<Revocation>(session, tenantPath(tenantId, '/revocations')), [tenantId]);
  return (
    <div>
      <p class="muted">
        Disabling a partner or revoking a key stops new credentials; a revocation also refuses those already issued, by a Deny that AWS
        applies to live sessions.
      </p>
      <Section title="New revocation">
        <NewRevocation {...props} onCreated={revocations.reload} />
      </Section>
      <Section title="Revocations, newest first">
        <ErrorBox error={revocations.error} />
        {revocations.data?.length === 0 && <p class="muted">None yet.</p>}
        <div class="scroll">
          <table data-testid="revocations">
            <tr>
              <th>revocation</th>
              <th>target</th>
              <th>state</th>
              <th>written to</th>
              <th>created</th>
              <th>effective</th>
              <th>targets expire</th>
            </tr>
            {revocations.data?.map((r) => (
              <tr data-testid={`rv-${r.revocationId}`}>
                <td class="mono">{r.revocationId}</td>
                <td class="mono">
                  {r.target.kind === 'partner'
                    ? `partner ${r.target.partnerId}, issued before ${when(r.target.before)}`
                    : `issuance ${r.target.issuanceId} (${r.target.partnerId})`}
                </td>
                <td>
                  <RevocationState revocation={r} />
                </td>
                <td class="mono break">
                  {r.entities.map((e) => (
                    <div>{entityText(e)}</div>
                  ))}
                </td>
                <td>
                  {when(r.createdAt)}
                  <div class="muted mono">{r.createdBy}</div>
                </td>
                <td>{when(r.effectiveAt)}</td>
                <td>{when(r.targetsExpireAt)}</td>
              </tr>
            ))}
          </table>
        </div>
      </Section>
    </div>
  );
}

const page: Page = { id: 'revocations', title: 'Revocations', for: 'tenant', view: Revocations };
export default page;
