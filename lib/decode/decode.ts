// POST /v1/authorization-messages/decode: decodes an AWS "encoded authorization failure message" with
// credvend's own role, and answers it only to the partner the message is about. The principal the
// decoded message names must (1) carry this partner's derived session name, and (2) be the principal
// of one of this partner's issuances in the ledger. Anything else, an undecodable message included,
// answers the same 404: a partner learns nothing about another tenant's or partner's sessions, nor
// whether a message could be decoded at all.
import { NotFoundError } from '../core/errors';
import { required } from '../core/required';
import { effectiveRateLimit } from '../policy/binding';
import { resolvePartnerPolicy } from '../vend/issue';
import { federationName, partnerIdentity } from '../vend/principal-names';
import type { Caller, DecodeDeps } from './ports';
import type { DecodeMessageRequest } from './schemas';

/**
 * How far back the ledger is searched: a message is made while its credentials are in use (at most
 * 36 h, GetFederationToken's longest), and read by a person debugging it within days.
 */
export const LOOKBACK_MS = (7 * 24 + 36) * 3_600_000;
/** The partner's newest issuances looked at, at most (five pages): the lookup's cost is bounded. */
export const MAX_LEDGER_RECORDS = 500;

const ASSUMED_ROLE = /^arn:aws[a-z-]*:sts::\d{12}:assumed-role\/[\w+=,.@-]{1,64}\/([\w+=,.@-]{2,64})$/;
const FEDERATED_USER = /^arn:aws[a-z-]*:sts::\d{12}:federated-user\/([\w+=,.@-]{2,32})$/;

export interface DecodedAuthorizationMessage {
  decodedMessage: Record<string, unknown>;
  principal: { arn: string };
}

const notFound = () => new NotFoundError('not_found', 'No authorization message about your sessions was found in that text');

/** Whether an STS principal ARN has the session name credvend gives this partner's sessions (lib/vend/principal-names.ts). */
export function namesPartner(principalArn: string, tenantId: string, partnerId: string): boolean {
  const session = ASSUMED_ROLE.exec(principalArn)?.[1];
  if (session !== undefined) return session.startsWith(`${partnerIdentity(tenantId, partnerId)}.`);
  const name = FEDERATED_USER.exec(principalArn)?.[1];
  if (name === undefined) return false;
  const base = federationName(tenantId, partnerId);
  return name === base || name.startsWith(`${base}-`);
}

/** The principal ARN a decoded message is about (`context.principal.arn`), if it has one. */
export function principalOf(decoded: unknown): string | undefined {
  const context = (decoded as { context?: { principal?: { arn?: unknown } } } | null)?.context;
  const arn = context?.principal?.arn;
  return typeof arn === 'string' ? arn : undefined;
}

export async function decodeAuthorizationMessage(
  deps: DecodeDeps,
  caller: Caller,
  request: DecodeMessageRequest,
): Promise<DecodedAuthorizationMessage> {
  const resolved = await resolvePartnerPolicy(deps.directory, caller);
  const tenantId = required(caller.tenantId, "the partner caller's tenantId");
  const partnerId = required(caller.partnerId, "the partner caller's partnerId");
  // Each decode costs credvend an STS call: it counts against the partner's issuance rate limit.
  const perMinute = effectiveRateLimit(resolved.policy.document, resolved.binding, deps.partnerRateCeilingPerMinute);
  if (perMinute !== undefined && deps.rateLimiter) await deps.rateLimiter.consume(tenantId, partnerId, perMinute);

  const text = await deps.decoder.decode(request.encodedMessage);
  if (text === undefined) throw notFound();
  let decoded: unknown;
  try {
    decoded = JSON.parse(text) as unknown;
  } catch {
    throw notFound();
  }
  const principalArn = principalOf(decoded);
  if (principalArn === undefined || !namesPartner(principalArn, tenantId, partnerId)) throw notFound();
  const since = new Date(deps.now().getTime() - LOOKBACK_MS).toISOString();
  if (!(await deps.issuances.issuedTo(tenantId, partnerId, principalArn, since, MAX_LEDGER_RECORDS))) throw notFound();
  return { decodedMessage: decoded as Record<string, unknown>, principal: { arn: principalArn } };
}
