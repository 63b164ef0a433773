// Who signed a request: the IAM users and their long-term keys (seeded, or made by IAM
// CreateAccessKey) and every temporary key issued, kept in memory with their principal and expiry.
import { createHash, randomBytes } from 'node:crypto';
import type { LocalStsUser } from './types';

export type Principal =
  | { kind: 'user'; arn: string; userId: string; userName: string }
  | { kind: 'federated-user'; arn: string; userId: string; name: string }
  | { kind: 'assumed-role'; arn: string; userId: string; roleArn: string; sessionName: string };

/** How the key came to be: STS treats session credentials differently from long-term keys. */
export type KeySource = 'long-term' | 'session-token' | 'federation' | 'assume-role';

export interface KeyRecord {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Epoch ms on the emulator clock; absent for long-term keys. */
  expiresAt?: number;
  /** When the temporary key was issued (epoch ms, emulator clock): IAM's aws:TokenIssueTime. */
  issuedAt?: number;
  principal: Principal;
  source: KeySource;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Stable unique ids (AIDA... users, AROA... roles) derived from the ARN, like IAM's never-reused ids. */
export function uniqueId(prefix: string, seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  return prefix + Array.from(digest.subarray(0, 17), (b) => ALNUM[b % ALNUM.length]).join('');
}

function randomAlnum(length: number): string {
  return Array.from(randomBytes(length), (b) => ALNUM[b % ALNUM.length]).join('');
}

export const userArn = (account: string, name: string): string => `arn:aws:iam::${account}:user/${name}`;
export const roleName = (roleArn: string): string => roleArn.slice(roleArn.lastIndexOf('/') + 1);

export function userPrincipal(account: string, userName: string): Principal {
  const arn = userArn(account, userName);
  return { kind: 'user', arn, userId: uniqueId('AIDA', arn), userName };
}

export function federatedPrincipal(account: string, name: string): Principal {
  return { kind: 'federated-user', arn: `arn:aws:sts::${account}:federated-user/${name}`, userId: `${account}:${name}`, name };
}

export function assumedRolePrincipal(account: string, roleArn: string, sessionName: string): Principal {
  return {
    kind: 'assumed-role',
    arn: `arn:aws:sts::${account}:assumed-role/${roleName(roleArn)}/${sessionName}`,
    userId: `${uniqueId('AROA', roleArn)}:${sessionName}`,
    roleArn,
    sessionName,
  };
}

/** An IAM user of the emulator's account and its long-term access keys, oldest first. */
export interface IamUser {
  userName: string;
  arn: string;
  userId: string;
  createdAt: number;
  accessKeys: Array<{ accessKeyId: string; createdAt: number }>;
}

/** IAM's quota of access keys per user. */
export const ACCESS_KEYS_PER_USER = 2;

export class KeyStore {
  private readonly keys = new Map<string, KeyRecord>();
  private readonly users = new Map<string, IamUser>();

  constructor(
    private readonly account: string,
    users: LocalStsUser[],
    nowMs = Date.now(),
  ) {
    // A user may be listed more than once: one entry per access key.
    for (const u of users) {
      if (this.keys.has(u.accessKeyId)) throw new Error(`local STS: duplicate access key id for user ${u.userName}`);
      this.addLongTermKey(this.userOrNew(u.userName, nowMs), u.accessKeyId, u.secretAccessKey, nowMs);
    }
  }

  private userOrNew(userName: string, nowMs: number): IamUser {
    let user = this.users.get(userName);
    if (!user) {
      const { arn, userId } = userPrincipal(this.account, userName);
      user = { userName, arn, userId, createdAt: nowMs, accessKeys: [] };
      this.users.set(userName, user);
    }
    return user;
  }

  private addLongTermKey(user: IamUser, accessKeyId: string, secretAccessKey: string, nowMs: number): KeyRecord {
    const record: KeyRecord = { accessKeyId, secretAccessKey, principal: userPrincipal(this.account, user.userName), source: 'long-term' };
    this.keys.set(accessKeyId, record);
    user.accessKeys.push({ accessKeyId, createdAt: nowMs });
    return record;
  }

  user(userName: string): IamUser | undefined {
    return this.users.get(userName);
  }

  /** A new long-term key (AKIA...) for the user, or why not: no such user, or already at the quota. */
  createAccessKey(userName: string, nowMs: number): KeyRecord | 'no-such-user' | 'limit-exceeded' {
    const user = this.users.get(userName);
    if (!user) return 'no-such-user';
    if (user.accessKeys.length >= ACCESS_KEYS_PER_USER) return 'limit-exceeded';
    let accessKeyId: string;
    do accessKeyId = `AKIA${randomAlnum(16)}`;
    while (this.keys.has(accessKeyId));
    return this.addLongTermKey(user, accessKeyId, randomBytes(30).toString('base64'), nowMs);
  }

  /** Deletes the user's key: it stops authenticating at once. False when the user has no such key. */
  deleteAccessKey(userName: string, accessKeyId: string): boolean {
    const user = this.users.get(userName);
    const index = user?.accessKeys.findIndex((k) => k.accessKeyId === accessKeyId) ?? -1;
    if (!user || index < 0) return false;
    user.accessKeys.splice(index, 1);
    this.keys.delete(accessKeyId);
    return true;
  }

  lookup(accessKeyId: string): KeyRecord | undefined {
    return this.keys.get(accessKeyId);
  }

  /** New temporary credentials: ASIA + 16 characters, a 40-character secret and an opaque session token. */
  issue(principal: Principal, source: KeySource, expiresAt: number, issuedAt: number): KeyRecord {
    let accessKeyId: string;
    do accessKeyId = `ASIA${randomAlnum(16)}`;
    while (this.keys.has(accessKeyId));
    const record: KeyRecord = {
      accessKeyId,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(264).toString('base64'),
      expiresAt,
      issuedAt,
      principal,
      source,
    };
    this.keys.set(accessKeyId, record);
    return record;
  }
}
