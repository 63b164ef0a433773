// The federation IAM user's access key and the SSM SecureString the functions read it from
// (`npm run federation-user`): create it, or rotate it without breaking warm functions. A plan is
// made from what AWS holds, printed, and (unless a dry run) carried out step by step; running it
// again after it finished, or after it was interrupted at any step, finishes the job.

/** What IAM and SSM hold now. */
export interface FederationUserState {
  userName: string;
  parameter: string;
  /** The user's access keys, as ListAccessKeys answers them. */
  accessKeyIds: string[];
  /** The key id in the parameter and when it was written; absent when there is none or it is malformed. */
  stored?: { accessKeyId: string; writtenAt: Date };
}

export interface PlanOptions {
  /** Replace a working stored key with a new one. */
  rotate: boolean;
  /** How long warm functions may still sign with a key after the parameter stopped naming it. */
  graceSeconds: number;
  now: Date;
}

export type Step =
  | { action: 'wait-until'; until: Date; reason: string }
  | { action: 'wait'; seconds: number; reason: string }
  | { action: 'delete-key'; accessKeyId: string; reason: string }
  | { action: 'create-key'; reason: string }
  | { action: 'store-key'; reason: string };

/** IAM's quota of access keys per user: a new key needs a free slot. */
const KEYS_PER_USER = 2;

/**
 * The steps from `state` to: one access key, stored in the parameter. A key other than the stored one
 * is deleted only once warm functions have had `graceSeconds` to re-read the parameter.
 */
export function planFederationUser(state: FederationUserState, opts: PlanOptions): Step[] {
  const stored = state.stored && state.accessKeyIds.includes(state.stored.accessKeyId) ? state.stored : undefined;
  const others = state.accessKeyIds.filter((id) => id !== stored?.accessKeyId);
  const steps: Step[] = [];
  // Functions may still sign with a key the parameter named until the grace after it changed.
  const safeAfter = stored ? new Date(stored.writtenAt.getTime() + opts.graceSeconds * 1000) : opts.now;
  const waitForGrace = (why: string) => {
    if (safeAfter > opts.now) steps.push({ action: 'wait-until', until: safeAfter, reason: why });
  };
  if (stored && !opts.rotate) {
    if (others.length > 0) waitForGrace('warm functions have re-read the stored key by then (its write + the grace)');
    for (const id of others) steps.push({ action: 'delete-key', accessKeyId: id, reason: 'not the stored key' });
    return steps;
  }
  // A new key: make room first (a key the parameter does not name is no function's key after the grace).
  const keep = stored ? 1 : 0;
  const toFree = Math.max(0, others.length + keep - (KEYS_PER_USER - 1));
  const freed = others.slice(0, toFree);
  if (freed.length > 0) waitForGrace('warm functions have re-read the stored key by then (its write + the grace)');
  for (const id of freed) steps.push({ action: 'delete-key', accessKeyId: id, reason: 'not the stored key; IAM allows two keys per user' });
  steps.push({ action: 'create-key', reason: stored ? 'rotation asked for' : 'no working key is stored' });
  steps.push({ action: 'store-key', reason: `the functions read ${state.parameter}` });
  const replaced = [...(stored ? [stored.accessKeyId] : []), ...others.slice(toFree)];
  if (replaced.length > 0) {
    steps.push({ action: 'wait', seconds: opts.graceSeconds, reason: 'warm functions re-read the parameter within the cache TTL' });
    for (const id of replaced) steps.push({ action: 'delete-key', accessKeyId: id, reason: 'replaced by the new key' });
  }
  return steps;
}

export function describeStep(step: Step): string {
  switch (step.action) {
    case 'wait-until':
      return `wait until ${step.until.toISOString()}: ${step.reason}`;
    case 'wait':
      return `wait ${step.seconds} s: ${step.reason}`;
    case 'delete-key':
      return `delete access key ${step.accessKeyId}: ${step.reason}`;
    case 'create-key':
      return `create an access key: ${step.reason}`;
    case 'store-key':
      return `store it as a SecureString: ${step.reason}`;
  }
}

/** The AWS calls the steps need (the script's adapter makes them with the SDK). */
export interface FederationUserPorts {
  deleteAccessKey(userName: string, accessKeyId: string): Promise<void>;
  createAccessKey(userName: string): Promise<{ accessKeyId: string; secretAccessKey: string }>;
  /** PutParameter, SecureString, Overwrite. */
  putSecureString(name: string, value: string): Promise<void>;
  sleep(ms: number): Promise<void>;
  now(): Date;
}

/** Carries the steps out in order; answers the access key id the parameter names at the end. */
export async function runFederationUserPlan(
  state: FederationUserState,
  steps: Step[],
  ports: FederationUserPorts,
  log: (line: string) => void,
): Promise<string | undefined> {
  let created: { accessKeyId: string; secretAccessKey: string } | undefined;
  let current = state.stored && state.accessKeyIds.includes(state.stored.accessKeyId) ? state.stored.accessKeyId : undefined;
  for (const step of steps) {
    log(describeStep(step));
    if (step.action === 'wait-until') await ports.sleep(Math.max(0, step.until.getTime() - ports.now().getTime()));
    else if (step.action === 'wait') await ports.sleep(step.seconds * 1000);
    else if (step.action === 'delete-key') await ports.deleteAccessKey(state.userName, step.accessKeyId);
    else if (step.action === 'create-key') {
      created = await ports.createAccessKey(state.userName);
      log(`  created ${created.accessKeyId}`);
    } else {
      if (!created) throw new Error('store-key without a created key');
      // The secret goes to SSM only; it is never printed.
      await ports.putSecureString(
        state.parameter,
        JSON.stringify({ accessKeyId: created.accessKeyId, secretAccessKey: created.secretAccessKey }),
      );
      current = created.accessKeyId;
    }
  }
  return current;
}

/** The key id of a stored parameter value, if it is the JSON the functions expect. */
export function storedKeyId(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = JSON.parse(value) as { accessKeyId?: unknown; secretAccessKey?: unknown };
    return typeof parsed.accessKeyId === 'string' && typeof parsed.secretAccessKey === 'string' ? parsed.accessKeyId : undefined;
  } catch {
    return undefined;
  }
}
