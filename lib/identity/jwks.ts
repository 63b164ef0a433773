// Signing keys of OIDC issuers (issue 17): discovered from `<issuer>/.well-known/openid-configuration`,
// cached per issuer, fetched again on an unknown `kid` at most once a minute per issuer. Only issuers a
// tenant registered (and its operator allowed) reach this module, and every fetch is bounded: https
// only (or the local stack's loopback issuer), no redirects, only to public addresses (checked on the
// connection: address-guard.ts), at most MAX_DOCUMENT_BYTES, and at most FETCH_TIMEOUT_MS or what the
// invocation's deadline leaves, whichever is sooner. A hanging issuer
// therefore answers 503 oidc_issuer_unavailable well before the Lambda timeout.

import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { isIP } from 'node:net';
import { remainingMs } from '../aws/deadline';
import { DependencyUnavailableError } from '../core/errors';
import { invocation } from '../core/invocation';
import { AddressRefusedError, addressProblem, guardedLookup } from './address-guard';
import { type IssuerRules, urlProblem } from './oidc-rules';

export const MAX_DOCUMENT_BYTES = 64 * 1024;
export const FETCH_TIMEOUT_MS = 3000;
/** Time kept back from the invocation deadline for the DynamoDB and STS calls that follow. */
export const FETCH_RESERVE_MS = 2000;
/** An unknown `kid` makes the keys be fetched again at most this often per issuer. */
export const REFETCH_INTERVAL_MS = 60_000;
/** Keys are fetched again after this long even if every `kid` is known (rotations that removed a key). */
export const KEYS_MAX_AGE_MS = 10 * 60_000;
/** After a failed fetch, requests for that issuer fail at once for this long, so a dead issuer is not hammered. */
export const FAILURE_BACKOFF_MS = 5000;
export const MAX_ISSUERS = 100;

export interface JsonWebKeySet {
  keys: Record<string, unknown>[];
}

export type FetchJson = (url: string, timeoutMs: number) => Promise<unknown>;

const unavailable = (cause?: unknown) =>
  new DependencyUnavailableError('oidc_issuer_unavailable', "The token's issuer could not be reached for its signing keys", {
    cause,
    retryAfterSeconds: 5,
  });

/**
 * GET of a JSON document, bounded in time and bytes, never following a redirect, and connecting only
 * to addresses guardedLookup allows (checked on the connection itself, so a name that resolves inward,
 * now or after a rebinding, is never reached). node:http(s) rather than fetch: fetch gives no hook on
 * the address it connects to.
 */
export function guardedFetchJson(rules: IssuerRules = {}): FetchJson {
  const lookup = guardedLookup({ allowLoopback: rules.allowLoopbackHttp, localHosts: rules.localHosts });
  return async (url, timeoutMs) => {
    const target = new URL(url);
    const literal = target.hostname.replace(/^\[|\]$/g, '');
    // An IP literal is connected to without a lookup: check it here (oidc-rules refuses them anyway).
    const literalProblem = isIP(literal) ? addressProblem(literal, { allowLoopback: rules.allowLoopbackHttp }) : undefined;
    if (literalProblem) throw new AddressRefusedError(`${literal} is ${literalProblem}`);
    const deadline = invocation.get()?.deadline?.signal;
    const signal = deadline ? AbortSignal.any([deadline, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
    const get = target.protocol === 'https:' ? httpsGet : httpGet;
    const body = await new Promise<Buffer>((resolve, reject) => {
      const req = get(target, { lookup, signal, headers: { accept: 'application/json' }, agent: false }, (res) => {
        // No redirect is followed (node:http never does): a 3xx is a failure like any non-200.
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`status ${res.statusCode}`));
        }
        if (Number(res.headers['content-length'] ?? 0) > MAX_DOCUMENT_BYTES) {
          reject(new Error('document too large'));
          return res.destroy();
        }
        const chunks: Buffer[] = [];
        let total = 0;
        res.on('data', (chunk: Buffer) => {
          total += chunk.byteLength;
          if (total > MAX_DOCUMENT_BYTES) {
            reject(new Error('document too large'));
            return res.destroy();
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve(Buffer.concat(chunks)));
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('response aborted')));
      });
      req.on('error', reject);
    });
    return JSON.parse(body.toString('utf8'));
  };
}

interface Entry {
  keys?: JsonWebKeySet;
  fetchedAt: number;
  /** When the last fetch began, successful or not: the once-a-minute rule counts from it. */
  attemptedAt: number;
  failedAt?: number;
  inFlight?: Promise<JsonWebKeySet>;
}

export class JwksCache {
  private readonly entries = new Map<string, Entry>();
  private readonly fetchJson: FetchJson;

  constructor(
    fetchJson: FetchJson | undefined,
    private readonly rules: IssuerRules = {},
    private readonly now: () => number = Date.now,
    private readonly refetchIntervalMs: number = REFETCH_INTERVAL_MS,
  ) {
    this.fetchJson = fetchJson ?? guardedFetchJson(rules);
  }

  /** The issuer's keys: cached ones unless stale or `refresh` (an unknown kid) and the minute has passed. */
  async keys(issuer: string, refresh = false): Promise<{ keys: JsonWebKeySet; refreshed: boolean }> {
    const entry = this.entries.get(issuer);
    const now = this.now();
    if (entry?.inFlight) return { keys: await entry.inFlight, refreshed: true };
    if (entry?.failedAt !== undefined && now - entry.failedAt < FAILURE_BACKOFF_MS && !entry.keys) throw unavailable();
    const fresh = entry?.keys && now - entry.fetchedAt < KEYS_MAX_AGE_MS;
    const mayRefetch = !entry?.keys || now - entry.attemptedAt >= this.refetchIntervalMs;
    if (entry?.keys && (fresh || !mayRefetch) && !(refresh && mayRefetch)) return { keys: entry.keys, refreshed: false };
    return { keys: await this.fetch(issuer, entry), refreshed: true };
  }

  private fetch(issuer: string, previous: Entry | undefined): Promise<JsonWebKeySet> {
    const entry: Entry = previous ?? { fetchedAt: 0, attemptedAt: 0 };
    entry.attemptedAt = this.now();
    if (!previous) {
      if (this.entries.size >= MAX_ISSUERS) this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(issuer, entry);
    }
    entry.inFlight = this.discover(issuer)
      .then((keys) => {
        entry.keys = keys;
        entry.fetchedAt = this.now();
        entry.failedAt = undefined;
        return keys;
      })
      .catch((err: unknown) => {
        entry.failedAt = this.now();
        // Keys already held stay usable (an issuer briefly down does not stop known tokens); none: 503.
        if (entry.keys) return entry.keys;
        throw unavailable(err);
      })
      .finally(() => {
        entry.inFlight = undefined;
      });
    return entry.inFlight;
  }

  private async discover(issuer: string): Promise<JsonWebKeySet> {
    const config = (await this.fetchJson(`${issuer}/.well-known/openid-configuration`, this.budget())) as Record<string, unknown> | null;
    // OpenID Connect Discovery 1.0 §4.3: the document must name the issuer it was fetched for.
    if (config?.issuer !== issuer || typeof config.jwks_uri !== 'string') throw new Error('discovery document does not match its issuer');
    // Its port may differ from 443 only on the issuer's own origin (whose port the operator allowed).
    const sameOrigin = URL.canParse(config.jwks_uri) && new URL(config.jwks_uri).origin === new URL(issuer).origin;
    const problem = urlProblem(config.jwks_uri, { ...this.rules, allowPort: sameOrigin });
    if (problem) throw new Error(`jwks_uri refused: ${problem}`);
    const jwks = (await this.fetchJson(config.jwks_uri, this.budget())) as JsonWebKeySet | null;
    if (!jwks || !Array.isArray(jwks.keys) || jwks.keys.length > 100) throw new Error('not a JWK set');
    return { keys: jwks.keys.filter((k) => k && typeof k === 'object') };
  }

  /** The time one fetch may take: FETCH_TIMEOUT_MS, or less when the invocation's deadline is near. */
  private budget(): number {
    const left = remainingMs();
    if (left === undefined) return FETCH_TIMEOUT_MS;
    const budget = Math.min(FETCH_TIMEOUT_MS, left - FETCH_RESERVE_MS);
    if (budget <= 0) throw unavailable();
    return budget;
  }
}
