// An AWS SDK v3 credential provider backed by credvend: cached, refreshed ahead of expiry, one
// request in flight at a time however many callers ask.
import { type CredvendClientOptions, type IssueResponse, prepareIssue } from './issue';
import type { CredvendCredentials } from './serialized';
import { parseCredentials } from './shapes';

/** Structurally an AWS SDK v3 `AwsCredentialIdentityProvider`: pass it as `credentials` to any client. */
export type CredvendCredentialProvider = (identityProperties?: {
  forceRefresh?: boolean;
  [key: string]: unknown;
}) => Promise<CredvendCredentials>;

export interface CredvendProviderOptions extends CredvendClientOptions {
  /** The local clock, in epoch milliseconds. Default Date.now. */
  now?: () => number;
  /** Refresh at the latest this long before expiration, whatever refreshAfter says. Default 60. */
  expiryMarginSeconds?: number;
}

const DEFAULT_EXPIRY_MARGIN_SECONDS = 60;
/** After a failed early refresh, callers get the cached credentials without a new attempt for this long. */
const EARLY_REFRESH_RETRY_INTERVAL_MS = 10_000;

interface Cached {
  credentials: CredvendCredentials;
  /** Local-clock times (ms): refresh from `refreshAt`; from `mustRefreshAt` a refresh failure is thrown. */
  refreshAt: number;
  mustRefreshAt: number;
}

/**
 * Two refresh points, as botocore's refreshable credentials have: from refreshAfter (the server's
 * advice) a refresh is attempted but, should it fail, the still-valid credentials are returned;
 * within the expiry margin a refresh failure is the caller's error.
 */
export function credvendProvider(opts: CredvendProviderOptions): CredvendCredentialProvider {
  const issue = prepareIssue(opts);
  const now = opts.now ?? Date.now;
  const marginMs = (opts.expiryMarginSeconds ?? DEFAULT_EXPIRY_MARGIN_SECONDS) * 1000;
  if (!(marginMs >= 0)) throw new RangeError('expiryMarginSeconds must be a number >= 0');

  let cached: Cached | undefined;
  let inFlight: Promise<Cached> | undefined;
  let nextEarlyAttemptAt = 0;

  const refresh = (): Promise<Cached> => {
    inFlight ??= issue()
      .then((response) => (cached = schedule(response, now(), marginMs)))
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  return async (identityProperties) => {
    const force = identityProperties?.forceRefresh === true;
    const t = now();
    if (cached && !force && (t < cached.refreshAt || (t < cached.mustRefreshAt && t < nextEarlyAttemptAt))) {
      return copy(cached.credentials);
    }
    try {
      return copy((await refresh()).credentials);
    } catch (err) {
      const current = cached;
      if (current && now() < current.mustRefreshAt) {
        nextEarlyAttemptAt = now() + EARLY_REFRESH_RETRY_INTERVAL_MS;
        return copy(current.credentials);
      }
      throw err;
    }
  };
}

/**
 * Maps the server's times onto the local clock through serverTime, so a skewed local clock
 * neither refreshes on every call nor keeps credentials past their real expiry.
 */
function schedule(response: IssueResponse, receivedAt: number, marginMs: number): Cached {
  const offset = receivedAt - response.serverTime.getTime();
  const expiresAt = response.credentials.expiration.getTime() + offset;
  // Credentials shorter-lived than the margin are still kept for half their remaining life.
  const margin = Math.max(0, Math.min(marginMs, (expiresAt - receivedAt) / 2));
  const mustRefreshAt = expiresAt - margin;
  return {
    credentials: response.credentials,
    refreshAt: Math.min(response.refreshAfter.getTime() + offset, mustRefreshAt),
    mustRefreshAt,
  };
}

/**
 * A provider for credentials already at hand, in any shape parseCredentials reads (the API's body
 * or its `credentials` object, the serialized form, the credential_process or container JSON):
 * `expiration` becomes the Date SDK v3 clients call getTime on. Parsed now, so a bad value throws here.
 */
export function fromCredvendCredentials(input: unknown): CredvendCredentialProvider {
  const credentials = parseCredentials(input);
  return async () => copy(credentials);
}

/** Each caller gets its own object, so one caller's mutation cannot reach another. */
function copy(c: CredvendCredentials): CredvendCredentials {
  return { ...c, expiration: new Date(c.expiration.getTime()) };
}
