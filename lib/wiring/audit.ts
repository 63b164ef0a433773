// Composition root of the expiry audit, shared by the scheduled handler and `npm run audit`.

import type { AuditDeps, AuditProgress } from '../audit/audit';
import { loadAuditConfig } from '../audit/config';
import { documentClient } from '../aws/document-client';
import { config } from '../core/config';
import { DynamoAuditStore } from '../store/audit-store';

export const auditConfig = loadAuditConfig();

/** Dependencies of one run; the store is per run so its read counts are the run's own. */
export function auditDeps(opts: { owner: string; leaseMs?: number; onProgress?: (p: AuditProgress) => void }): AuditDeps {
  return {
    store: new DynamoAuditStore(documentClient, { main: config.mainTable, issuance: config.issuanceTable }),
    now: () => new Date(),
    owner: opts.owner,
    leaseMs: opts.leaseMs ?? auditConfig.leaseSeconds * 1000,
    retentionDays: config.issuanceRetentionDays,
    config: auditConfig,
    onProgress: opts.onProgress,
  };
}
