// credvend's revocation policy on a role or the federation user, through IAM's inline-policy calls
// (the InlinePolicyApi of lib/admin/revocation-writer.ts). IAM errors become stable codes; AWS's
// messages (which name ARNs) stay in the cause, for the log only.
import {
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  type IAMClient,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { policySize, type RevocationWriteCode, RevocationWriteError } from '../admin/revocation-policy';
import type { InlinePolicyApi } from '../admin/revocation-writer';
import type { RevocationEntity } from '../core/model';

const roleNameOf = (roleArn: string): string => roleArn.slice(roleArn.lastIndexOf('/') + 1);

export function iamErrorCode(err: unknown): RevocationWriteCode {
  const name = (err as { name?: string } | undefined)?.name ?? '';
  if (/Throttl|TooManyRequests|RequestLimitExceeded/.test(name)) return 'iam_throttled';
  if (/AccessDenied/.test(name)) return 'iam_access_denied';
  if (/NoSuchEntity/.test(name)) return 'iam_no_such_entity';
  if (/LimitExceeded/.test(name)) return 'policy_full';
  return 'iam_failed';
}

const isNoSuchEntity = (err: unknown): boolean => /NoSuchEntity/.test((err as { name?: string } | undefined)?.name ?? '');

export class IamInlinePolicies implements InlinePolicyApi {
  constructor(private readonly iam: IAMClient) {}

  private async call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw new RevocationWriteError(iamErrorCode(err), { cause: err });
    }
  }

  put(entity: RevocationEntity, policyName: string, text: string): Promise<void> {
    return this.call(async () => {
      if (entity.kind === 'role') {
        await this.iam.send(
          new PutRolePolicyCommand({ RoleName: roleNameOf(entity.roleArn), PolicyName: policyName, PolicyDocument: text }),
        );
      } else {
        await this.iam.send(new PutUserPolicyCommand({ UserName: entity.userName, PolicyName: policyName, PolicyDocument: text }));
      }
    });
  }

  delete(entity: RevocationEntity, policyName: string): Promise<void> {
    return this.call(async () => {
      try {
        if (entity.kind === 'role')
          await this.iam.send(new DeleteRolePolicyCommand({ RoleName: roleNameOf(entity.roleArn), PolicyName: policyName }));
        else await this.iam.send(new DeleteUserPolicyCommand({ UserName: entity.userName, PolicyName: policyName }));
      } catch (err) {
        if (!isNoSuchEntity(err)) throw err;
      }
    });
  }

  get(entity: RevocationEntity, policyName: string): Promise<string | undefined> {
    return this.call(async () => {
      try {
        const out =
          entity.kind === 'role'
            ? await this.iam.send(new GetRolePolicyCommand({ RoleName: roleNameOf(entity.roleArn), PolicyName: policyName }))
            : await this.iam.send(new GetUserPolicyCommand({ UserName: entity.userName, PolicyName: policyName }));
        return out.PolicyDocument;
      } catch (err) {
        if (isNoSuchEntity(err)) return undefined;
        throw err;
      }
    });
  }

  otherPoliciesSize(entity: RevocationEntity, policyName: string): Promise<number> {
    return this.call(async () => {
      let total = 0;
      let marker: string | undefined;
      do {
        const page =
          entity.kind === 'role'
            ? await this.iam.send(new ListRolePoliciesCommand({ RoleName: roleNameOf(entity.roleArn), Marker: marker }))
            : await this.iam.send(new ListUserPoliciesCommand({ UserName: entity.userName, Marker: marker }));
        for (const name of page.PolicyNames ?? []) {
          if (name === policyName) continue;
          const doc =
            entity.kind === 'role'
              ? (await this.iam.send(new GetRolePolicyCommand({ RoleName: roleNameOf(entity.roleArn), PolicyName: name }))).PolicyDocument
              : (await this.iam.send(new GetUserPolicyCommand({ UserName: entity.userName, PolicyName: name }))).PolicyDocument;
          // IAM answers the document URL-encoded.
          total += policySize(decodeURIComponent(doc ?? ''));
        }
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
      return total;
    });
  }
}
