// The credvend API, same origin, with the signed-in key. Every failure becomes an ApiError with the
// API's code and message (or one of ours for a network failure or a non-JSON answer).
import { ApiError, type ProblemDetail } from './errors';
import type { Session } from './session';

export { ApiError, type ProblemDetail } from './errors';

export async function api<T>(session: Pick<Session, 'key'>, method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${session.key}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
  } catch (err) {
    throw new ApiError(0, 'network_error', `The API could not be reached: ${err instanceof Error ? err.message : String(err)}`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const error = (json as { error?: { code?: string; message?: string; requestId?: string; details?: ProblemDetail[] } } | undefined)
      ?.error;
    throw new ApiError(
      res.status,
      error?.code ?? `http_${res.status}`,
      error?.message ?? (text.slice(0, 200) || res.statusText),
      error?.requestId,
      error?.details ?? [],
    );
  }
  return json as T;
}

export const tenantPath = (tenantId: string, rest = '') => `/v1/tenants/${encodeURIComponent(tenantId)}${rest}`;

/** Every page of a list route, up to `maxPages` pages of 100. */
export async function listAll<T>(session: Session, path: string, maxPages = 10): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const res = await api<{ items: T[]; nextCursor?: string }>(
      session,
      'GET',
      `${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    items.push(...res.items);
    cursor = res.nextCursor;
    if (!cursor) break;
  }
  return items;
}
