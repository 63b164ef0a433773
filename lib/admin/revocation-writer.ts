// Writing credvend's revocation inline policy on one role or user, safe under concurrency. IAM has no
// conditional PutRolePolicy, so the policy's content lives in a versioned DynamoDB item per entity
// (PolicyDocuments): a writer merges its statements there under a version check (a lost race re-reads
// and merges again, so two revocations at once both end up in it), then puts the rendered document to
// IAM and re-reads the item. If the version moved on meanwhile, another writer's document may have
// landed before or after its own, so it puts the newest again: the last IAM write is always followed by
// a check that it was the newest, and every revocation's statement ends up in the policy.
import type { IamStatement, RevocationEntity } from '../core/model';
import type { RevocationPolicyWriter } from './ports';
import { mergeRevocationPolicy, prunableAt, REVOCATION_POLICY_NAME, RevocationWriteError, statementsOf } from './revocation-policy';

/**
 * The owners (or expiries) of the statements kept: a statement left out (removed, pruned, compacted) takes
 * its owner and expiry with it.
 */
function ownersOf(statements: IamStatement[], owners: Readonly<Record<string, string>>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const s of statements) {
    const owner = Object.hasOwn(owners, s.Sid ?? '') ? owners[s.Sid ?? ''] : undefined;
    if (owner !== undefined) kept[s.Sid ?? ''] = owner;
  }
  return kept;
}

/**
 * Credvend's own copy of each entity's revocation statements, versioned (DynamoDB), with the tenant each
 * statement was written for (`owners`, by Sid: the per-tenant share counts them) and, where the writer was
 * told, when every credential it targets has expired (`expires`, by Sid: a one-issuance statement's
 * issuance expiresAt), which prunes it before the generic cutoff-plus-longest-life (prunableAt).
 */
export interface PolicyDocuments {
  get(
    entityKey: string,
  ): Promise<
    { statements: IamStatement[]; version: number; owners?: Record<string, string>; expires?: Record<string, string> } | undefined
  >;
  /** Writes version expectedVersion + 1 if the item is still at expectedVersion (0: absent); false otherwise. */
  put(
    entityKey: string,
    statements: IamStatement[],
    expectedVersion: number,
    owners?: Record<string, string>,
    expires?: Record<string, string>,
  ): Promise<boolean>;
}

/** The IAM calls on credvend's revocation policy (REVOCATION_POLICY_NAME); failures throw RevocationWriteError. */
export interface InlinePolicyApi {
  put(entity: RevocationEntity, policyName: string, text: string): Promise<void>;
  /** No error when the policy is already gone. */
  delete(entity: RevocationEntity, policyName: string): Promise<void>;
  /** The policy's document as IAM answers it (URL-encoded), undefined when there is none. */
  get(entity: RevocationEntity, policyName: string): Promise<string | undefined>;
  /** Characters (whitespace not counted) of the entity's other inline policies, which count against the same quota. */
  otherPoliciesSize(entity: RevocationEntity, policyName: string): Promise<number>;
}

export const entityKey = (entity: RevocationEntity): string =>
  entity.kind === 'role' ? `role#${entity.roleArn}` : `user#${entity.userName}`;

const ATTEMPTS = 10;

/** Full jitter, 5 ms doubling to at most 200 ms: writers that lost a race do not collide again in step. */
const backoff = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 5 * 2 ** attempt)));

function render(statements: IamStatement[]): string | undefined {
  if (statements.length === 0) return undefined;
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

export type AddOptions = NonNullable<Parameters<RevocationPolicyWriter['add']>[3]>;

export interface RevocationPolicyChanger extends RevocationPolicyWriter {
  /** Takes the statements with these Sids out (the expiry audit prunes with it); deletes the policy when none is left. */
  remove(entity: RevocationEntity, sids: ReadonlySet<string>): Promise<void>;
}

/** JSON with every object's keys sorted: the same statements whatever order or whitespace IAM answers them in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/**
 * Every write also prunes: a statement whose targets have all expired (prunableAt) is left out, so the
 * policy stays within IAM's quota as revocations come and go.
 */
export function revocationPolicyWriter(
  docs: PolicyDocuments,
  iam: InlinePolicyApi,
  now: () => Date = () => new Date(),
): RevocationPolicyChanger {
  /** A statement's targets have all expired: its recorded expiry (an issuance's expiresAt) or prunableAt, whichever is first. */
  const expiredSids = (
    statements: IamStatement[],
    kind: RevocationEntity['kind'],
    expires: Readonly<Record<string, string>> = {},
  ): string[] => {
    const nowMs = now().getTime();
    const expiry = (s: IamStatement): number => {
      const recorded = Object.hasOwn(expires, s.Sid ?? '') ? Date.parse(expires[s.Sid ?? ''] ?? '') : Number.NaN;
      return Math.min(Number.isNaN(recorded) ? Number.POSITIVE_INFINITY : recorded, prunableAt(s, kind) ?? Number.POSITIVE_INFINITY);
    };
    return statements.filter((s) => expiry(s) <= nowMs).map((s) => s.Sid ?? '');
  };

  /**
   * `tenantId`: whose statements `add` are. On an entity several tenants share (the federation user always,
   * a role when `shared`: bound to more than one tenant) each tenant writes within its share; a role bound to
   * one tenant is all that tenant's.
   */
  async function change(
    entity: RevocationEntity,
    add: IamStatement[],
    remove: ReadonlySet<string>,
    tenantId?: string,
    opts: AddOptions = {},
  ): Promise<void> {
    const key = entityKey(entity);
    const others = await iam.otherPoliciesSize(entity, REVOCATION_POLICY_NAME);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const current = (await docs.get(key)) ?? { statements: [], version: 0 };
      const owners = { ...current.owners };
      if (tenantId !== undefined) for (const s of add) owners[s.Sid ?? ''] = tenantId;
      const expires = { ...current.expires };
      for (const s of add) {
        if (opts.expiresAt !== undefined) expires[s.Sid ?? ''] = opts.expiresAt;
        else delete expires[s.Sid ?? ''];
      }
      const expired = expiredSids(current.statements, entity.kind, current.expires);
      const merged = mergeRevocationPolicy(
        render(current.statements),
        { add, remove: new Set([...remove, ...expired]) },
        entity.kind,
        others,
        (entity.kind === 'user' || opts.shared === true) && tenantId !== undefined ? { tenantId, owners } : undefined,
      );
      if ('tooLarge' in merged) throw new RevocationWriteError('policy_full');
      if ('shareFull' in merged) throw new RevocationWriteError('tenant_share_full');
      const statements = statementsOf(merged.text);
      if (await docs.put(key, statements, current.version, ownersOf(statements, owners), ownersOf(statements, expires)))
        return sync(entity, key);
      await backoff(attempt);
    }
    throw new RevocationWriteError('policy_conflict');
  }

  /** Puts the newest document to IAM until no newer one was written meanwhile. */
  async function sync(entity: RevocationEntity, key: string): Promise<void> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const doc = (await docs.get(key)) ?? { statements: [], version: 0 };
      const text = render(doc.statements);
      if (text === undefined) await iam.delete(entity, REVOCATION_POLICY_NAME);
      else await iam.put(entity, REVOCATION_POLICY_NAME, text);
      if (((await docs.get(key))?.version ?? 0) === doc.version) return;
    }
    throw new RevocationWriteError('policy_conflict');
  }

  return {
    add: (entity, statements, tenantId, opts) => change(entity, statements, new Set(), tenantId, opts),
    remove: (entity, sids) => change(entity, [], sids),
    /**
     * Whether IAM still holds exactly credvend's copy (F5): sync re-checks the version after every put, but a
     * put that failed at the client (a timeout) may still land at IAM after a newer writer's, leaving out a
     * statement another record says is written. The sweep calls this per entity: one Get; when IAM differs
     * from the copy, the copy is put again (sync). Answers whether it rewrote.
     */
    async verify(entity) {
      const key = entityKey(entity);
      const doc = (await docs.get(key)) ?? { statements: [], version: 0 };
      const text = await iam.get(entity, REVOCATION_POLICY_NAME);
      const held = text === undefined ? [] : statementsOf(decodeURIComponent(text));
      if (canonical(held) === canonical(doc.statements) && (text !== undefined || doc.statements.length === 0)) return false;
      await sync(entity, key);
      return true;
    },
    async prune(entity) {
      // Read first: an entity with nothing expired costs one DynamoDB read, no IAM call.
      const current = await docs.get(entityKey(entity));
      const expired = current ? expiredSids(current.statements, entity.kind, current.expires) : [];
      if (expired.length === 0) return 0;
      await change(entity, [], new Set(expired));
      return expired.length;
    },
  };
}
