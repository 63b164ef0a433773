// Shared pieces of the pages: loading data, showing an API error, a secret shown once, JSON.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from './api';

export interface Loaded<T> {
  data?: T;
  error?: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` on mount and whenever `deps` change; `reload` runs it again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { ...state, reload: useCallback(() => setTick((t) => t + 1), []) };
}

/** An API error with its code and message (and request id, to find it in the logs). */
export function ErrorBox({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  const e = error instanceof ApiError ? error : new ApiError(0, 'console_error', error instanceof Error ? error.message : String(error));
  return (
    <div class="error" role="alert" data-testid="api-error">
      <strong class="code">{e.code}</strong>
      {e.status ? <span class="status"> (HTTP {e.status})</span> : null}: {e.message}
      {e.details.length > 0 && (
        <ul>
          {e.details.map((d) => (
            <li>
              {d.path && <code>{d.path}</code>} {d.code && <em>{d.code}</em>} {d.message}
            </li>
          ))}
        </ul>
      )}
      {e.requestId && <div class="muted">request id {e.requestId}</div>}
    </div>
  );
}

/** Wraps an action: runs it, keeps its error for display, tells whether it is running. */
export function useAction() {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const run = useCallback(async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }, []);
  return { error, busy, run, setError };
}

/** A new key's secret: shown once, with a copy button; dismissing it forgets it. */
export function NewSecret({ label, secret, onDone }: { label: string; secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState<string>();
  const copy = () =>
    navigator.clipboard.writeText(secret).then(
      () => setCopied('Copied'),
      () => setCopied('Copy failed: select the key and copy it'),
    );
  return (
    <div class="secret" data-testid="new-secret-box">
      <div>
        <strong>{label}</strong> — shown once, it cannot be read again:
      </div>
      <code class="secret-value" data-testid="new-secret">
        {secret}
      </code>
      <div class="row">
        <button type="button" onClick={copy}>
          Copy
        </button>
        <button type="button" onClick={onDone}>
          I have stored it
        </button>
        {copied && <span class="muted">{copied}</span>}
      </div>
    </div>
  );
}

export function Json({ value, testid }: { value: unknown; testid?: string }) {
  return (
    <pre class="json" data-testid={testid}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section class="card">
      <h2>{title}</h2>
      {children}
    </section>
  );
}

export const when = (iso: string | undefined) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—');
