// The tenant policy: a JSON editor whose problems (JSON syntax, then the API's validation) are shown
// beside it, a preview of the session policy an issuance would get (and its packed size), and a
// diff between any stored version and the draft or another version.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, listAll, tenantPath } from '../api';
import { diffLines } from '../diff';
import type { Page, PageProps } from '../page';
import type { Partner, PolicyPreview, TenantPolicy } from '../types';
import { ErrorBox, Json, Section, useAction, useLoad, when } from '../ui';

interface Problem {
  path?: string;
  code?: string;
  message: string;
}

const pretty = (v: unknown) => JSON.stringify(v, null, 2);

/** Object keys sorted, so a diff shows what changed, not the order the store kept keys in. */
function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortedKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** The draft parsed, or its syntax problem. */
function parseDraft(text: string): { policy?: unknown; problem?: Problem } {
  try {
    return { policy: JSON.parse(text) };
  } catch (err) {
    return { problem: { code: 'invalid_json', message: err instanceof Error ? err.message : String(err) } };
  }
}

function Problems({ problems, testid }: { problems: Problem[]; testid: string }) {
  if (problems.length === 0) return null;
  return (
    <ul class="problems" data-testid={testid}>
      {problems.map((p) => (
        <li>
          {p.path && <code>{p.path}</code>} <strong>{p.code}</strong> {p.message}
        </li>
      ))}
    </ul>
  );
}

function Diff({ before, after }: { before: string; after: string }) {
  const lines = diffLines(before, after);
  const changed = lines.filter((l) => l.op !== ' ').length;
  return (
    <pre class="diff" data-testid="policy-diff" data-changes={changed}>
      {changed === 0
        ? 'No differences.'
        : lines.map((l) => <div class={l.op === '+' ? 'add' : l.op === '-' ? 'del' : ''}>{`${l.op} ${l.text}`}</div>)}
    </pre>
  );
}

function Policy({ session, tenantId }: PageProps) {
  const current = useLoad(async () => {
    try {
      return await api<TenantPolicy>(session, 'GET', tenantPath(tenantId, '/policy'));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'policy_not_configured') return undefined;
      throw err;
    }
  }, [tenantId]);
  const versions = useLoad(() => listAll<TenantPolicy>(session, tenantPath(tenantId, '/policy/versions'), 2), [tenantId, current.data]);
  const partners = useLoad(() => listAll<Partner>(session, tenantPath(tenantId, '/partners'), 1), [tenantId]);
  const [draft, setDraft] = useState('');
  const [problems, setProblems] = useState<Problem[]>([]);
  const [saved, setSaved] = useState<string>();
  const [preview, setPreview] = useState<PolicyPreview>();
  const [partnerId, setPartnerId] = useState('');
  const [diffFrom, setDiffFrom] = useState('');
  const [diffTo, setDiffTo] = useState('draft');
  const action = useAction();

  useEffect(() => {
    if (current.data !== undefined || !current.loading) setDraft(current.data ? pretty(current.data.policy) : '{\n  \n}');
  }, [current.data, current.loading]);
  useEffect(() => {
    if (!partnerId && partners.data?.[0]) setPartnerId(partners.data[0].partnerId);
  }, [partners.data, partnerId]);
  useEffect(() => {
    if (current.data) setDiffFrom(String(current.data.version));
  }, [current.data]);

  const expectedVersion = current.data?.version ?? 0;
  const withDraft = async (use: (policy: unknown) => Promise<void>) => {
    setSaved(undefined);
    const parsed = parseDraft(draft);
    if (parsed.problem) {
      setProblems([parsed.problem]);
      return;
    }
    await action.run(async () => {
      try {
        await use(parsed.policy);
      } catch (err) {
        // Validation problems go beside the editor; other errors in the error box.
        if (err instanceof ApiError && err.code === 'invalid_policy') {
          setProblems(err.details.map((d) => ({ path: d.path, code: d.code, message: d.message })));
          return;
        }
        throw err;
      }
    });
  };
  const save = () =>
    withDraft(async (policy) => {
      const res = await api<TenantPolicy>(session, 'PUT', tenantPath(tenantId, '/policy'), { expectedVersion, policy });
      setProblems([]);
      setSaved(`Saved as version ${res.version}`);
      current.reload();
    });
  const check = () =>
    withDraft(async (policy) => {
      if (!partnerId) throw new Error('Create a partner first: a preview renders the policy for one');
      const res = await api<PolicyPreview>(session, 'POST', tenantPath(tenantId, '/policy/preview'), { partnerId, policy });
      setPreview(res);
      setProblems(res.problems);
    });

  const textOf = (which: string) => {
    if (which !== 'draft') return pretty(sortedKeys(versions.data?.find((v) => String(v.version) === which)?.policy ?? null));
    const parsed = parseDraft(draft);
    return parsed.problem ? draft : pretty(sortedKeys(parsed.policy));
  };

  return (
    <div>
      <ErrorBox error={current.error ?? versions.error ?? partners.error ?? action.error} />
      <Section title={current.data ? `Version ${current.data.version} (${when(current.data.updatedAt)})` : 'No policy yet'}>
        <div class="editor">
          <textarea
            data-testid="policy-editor"
            spellcheck={false}
            value={draft}
            onInput={(e) => {
              setDraft((e.target as HTMLTextAreaElement).value);
              setSaved(undefined);
            }}
          />
          <div class="side">
            <div class="row">
              <label>
                Preview for{' '}
                <select
                  data-testid="preview-partner"
                  value={partnerId}
                  onChange={(e) => setPartnerId((e.target as HTMLSelectElement).value)}
                >
                  {partners.data?.map((p) => (
                    <option value={p.partnerId}>{p.partnerId}</option>
                  ))}
                </select>
              </label>
              <button type="button" onClick={check} disabled={action.busy} data-testid="policy-check">
                Check &amp; preview
              </button>
              <button type="button" class="primary" onClick={save} disabled={action.busy} data-testid="policy-save">
                Save
              </button>
            </div>
            {saved && (
              <p class="ok" data-testid="policy-saved">
                {saved}
              </p>
            )}
            <Problems problems={problems} testid="policy-problems" />
            {preview && problems.length === 0 && (
              <p class="ok" data-testid="policy-valid">
                No problems.
              </p>
            )}
          </div>
        </div>
      </Section>
      {preview && (
        <Section title="Preview: the session policy an issuance would send">
          <p data-testid="preview-summary">
            {preview.ok ? 'OK' : 'Would be refused'} · mode {preview.mode ?? '—'} · {preview.durationSeconds ?? '—'} s · session{' '}
            <code>{preview.sessionName ?? '—'}</code>
          </p>
          {preview.size && (
            <p data-testid="preview-size">
              Packed size {preview.size.total} / {preview.size.limit} (worst case {preview.size.worstCase}; policy {preview.size.policy},
              managed policy ARNs {preview.size.managedPolicyArns})
            </p>
          )}
          <Json value={preview.renderedPolicy} testid="preview-policy" />
        </Section>
      )}
      <Section title="Diff">
        <div class="row">
          <select data-testid="diff-from" value={diffFrom} onChange={(e) => setDiffFrom((e.target as HTMLSelectElement).value)}>
            {versions.data?.map((v) => (
              <option value={String(v.version)}>version {v.version}</option>
            ))}
          </select>
          →
          <select data-testid="diff-to" value={diffTo} onChange={(e) => setDiffTo((e.target as HTMLSelectElement).value)}>
            <option value="draft">the editor's draft</option>
            {versions.data?.map((v) => (
              <option value={String(v.version)}>version {v.version}</option>
            ))}
          </select>
        </div>
        {diffFrom && <Diff before={textOf(diffFrom)} after={textOf(diffTo)} />}
      </Section>
    </div>
  );
}

const page: Page = { id: 'policy', title: 'Policy', for: 'tenant', view: Policy };
export default page;
