// A revocation's state as the pages show it (the revocations page, the partners page's disable / revoke).
import type { Revocation, RevocationEntity } from './types';

const STATES: Record<Revocation['state'], string> = {
  effective: 'written everywhere it applies',
  pending: 'a write failed; retried by the scheduled sweep',
  partial: 'some places are not credvend’s to modify: revoke there yourself',
  'recorded-only': 'no place is credvend’s to modify: recorded, not enforced',
  expired: 'still pending when every credential it targets had expired: nothing left to refuse',
};

export const entityText = (e: RevocationEntity) =>
  `${e.kind === 'role' ? e.roleArn : `user ${e.userName}`}: ${e.state}${e.reason ? ` (${e.reason})` : ''}`;

export function RevocationState({ revocation }: { revocation: Revocation }) {
  return (
    <span class={`state-${revocation.state}`} title={STATES[revocation.state]} data-testid={`rv-state-${revocation.revocationId}`}>
      {revocation.state}
    </span>
  );
}
