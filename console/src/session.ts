// The signed-in key: in memory and in sessionStorage (this tab only, gone when it closes), never in
// the URL, a cookie or localStorage. Sign-out removes it.
export type KeyKind = 'admin' | 'operator';

export interface Session {
  key: string;
  kind: KeyKind;
  /** The admin key's tenant (an admin key does not say which; the user types it at sign-in). */
  tenantId: string;
}

const STORAGE_KEY = 'credvend.console.session';

/** `cv1.ak-…` is a tenant admin key, `cv1.ok-…` an operator key; anything else is not for the console. */
export function kindOfKey(key: string): KeyKind | undefined {
  if (/^cv1\.ak-[a-z2-7]{16}\.[A-Za-z0-9_-]{43}$/.test(key)) return 'admin';
  if (/^cv1\.ok-[a-z2-7]{16}\.[A-Za-z0-9_-]{43}$/.test(key)) return 'operator';
  return undefined;
}

export function loadSession(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    const parsed = raw ? (JSON.parse(raw) as Session) : undefined;
    return parsed && kindOfKey(parsed.key) === parsed.kind ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
