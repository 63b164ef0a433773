// The console: sign-in, then the pages (console:pages) this key may see, routed by the URL hash.
import './style.css';
import 'uplot/dist/uPlot.min.css';
import pages from 'console:pages';
import type { ComponentChildren } from 'preact';
import { render } from 'preact';
import { useEffect, useErrorBoundary, useState } from 'preact/hooks';
import { api, listAll, tenantPath } from './api';
import type { Page } from './page';
import { clearSession, kindOfKey, loadSession, type Session, saveSession } from './session';
import type { Tenant } from './types';
import { ErrorBox, useAction, useLoad } from './ui';

function SignIn({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [key, setKey] = useState('');
  const [tenantId, setTenantId] = useState('');
  const { error, busy, run, setError } = useAction();
  const kind = kindOfKey(key.trim());
  const submit = (e: Event) => {
    e.preventDefault();
    if (!kind) {
      setError(new Error('Paste a tenant admin key (cv1.ak-…) or an operator key (cv1.ok-…)'));
      return;
    }
    const session: Session = { key: key.trim(), kind, tenantId: kind === 'admin' ? tenantId.trim() : '' };
    void run(async () => {
      // One call that only this key may make proves the key (and, for an admin, its tenant).
      if (kind === 'admin') await api(session, 'GET', tenantPath(session.tenantId, '/partners?limit=1'));
      else await api(session, 'GET', '/v1/tenants?limit=1');
      setKey('');
      onSignedIn(session);
    });
  };
  return (
    <main class="signin">
      <h1>credvend console</h1>
      <form onSubmit={submit} class="card" data-testid="signin">
        <label>
          API key (tenant admin or operator)
          <input type="password" name="key" autocomplete="off" value={key} onInput={(e) => setKey((e.target as HTMLInputElement).value)} />
        </label>
        {kind !== 'operator' && (
          <label>
            Tenant (for a tenant admin key)
            <input name="tenant" value={tenantId} onInput={(e) => setTenantId((e.target as HTMLInputElement).value)} />
          </label>
        )}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        <p class="muted">The key stays in this tab (sessionStorage) until you sign out or close it.</p>
        <ErrorBox error={error} />
      </form>
    </main>
  );
}

/** A page that throws while rendering shows the error (and a way back), never a blank page. */
function PageBoundary({ children }: { children: ComponentChildren }) {
  const [error, reset] = useErrorBoundary();
  if (error) {
    return (
      <div>
        <ErrorBox error={error} />
        <button type="button" onClick={reset}>
          Try again
        </button>
      </div>
    );
  }
  return <>{children}</>;
}

const routeOf = () => location.hash.replace(/^#\/?/, '').split('/')[0] ?? '';

/**
 * An operator picks the tenant the tenant pages show: any tenant id typed in (committed on Enter or
 * leaving the field), with the ids of the first pages of tenants as suggestions — a list alone could
 * not reach a tenant past its last page.
 */
function TenantPicker({ session, tenantId, onPick }: { session: Session; tenantId: string; onPick: (t: string) => void }) {
  const tenants = useLoad(() => listAll<Tenant>(session, '/v1/tenants'), [session.key]);
  return (
    <label class="picker">
      Tenant{' '}
      <input
        data-testid="tenant-picker"
        list="tenant-ids"
        value={tenantId}
        placeholder="tenant id"
        onChange={(e) => onPick((e.target as HTMLInputElement).value.trim())}
      />
      <datalist id="tenant-ids">
        {tenants.data?.map((t) => (
          <option value={t.tenantId} />
        ))}
      </datalist>
    </label>
  );
}

function App() {
  const [session, setSession] = useState<Session | undefined>(loadSession);
  const [route, setRoute] = useState(routeOf);
  const [pickedTenant, setPickedTenant] = useState('');
  useEffect(() => {
    const onHash = () => setRoute(routeOf());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  if (!session) {
    return (
      <SignIn
        onSignedIn={(s) => {
          saveSession(s);
          setSession(s);
        }}
      />
    );
  }
  const tenantId = session.kind === 'admin' ? session.tenantId : pickedTenant;
  const visible = pages.filter((p: Page) => p.for === 'tenant' || session.kind === 'operator');
  const page = visible.find((p) => p.id === route) ?? visible[0];
  if (!page) return <p>No pages.</p>;
  const needsTenant = page.for === 'tenant' && !tenantId;
  const signOut = () => {
    clearSession();
    setSession(undefined);
    setPickedTenant('');
    location.hash = '';
  };
  return (
    <div class="shell">
      <header>
        <strong>credvend</strong>
        <span class="muted" data-testid="whoami">
          {session.kind === 'admin' ? `tenant admin · ${session.tenantId}` : 'operator'}
        </span>
        {session.kind === 'operator' && <TenantPicker session={session} tenantId={pickedTenant} onPick={setPickedTenant} />}
        <button type="button" class="signout" onClick={signOut} data-testid="sign-out">
          Sign out
        </button>
      </header>
      <nav>
        {visible.map((p) => (
          <a href={`#/${p.id}`} class={p === page ? 'active' : ''} data-testid={`nav-${p.id}`}>
            {p.title}
            {p.for === 'operator' && <span class="tag">operator</span>}
          </a>
        ))}
      </nav>
      <main data-testid={`page-${page.id}`}>
        <h1>{page.title}</h1>
        {needsTenant ? (
          <p>Pick a tenant above.</p>
        ) : (
          <PageBoundary key={`${page.id}/${tenantId}`}>
            <page.view session={session} tenantId={tenantId} />
          </PageBoundary>
        )}
      </main>
    </div>
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
