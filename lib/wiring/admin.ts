// Composition root for the admin API, built once per cold start.
import type { AdminDeps } from '../admin/ports';
import { dynamoClient, stsClient } from '../aws/clients';
import { documentClient } from '../aws/document-client';
import { config } from '../core/config';
import { listAuditReports } from '../store/audit-store';
import { DynamoDirectory } from '../store/directory';
import { DynamoDirectoryAdmin } from '../store/directory-admin';
import { DynamoIssuanceQueries } from '../store/issuance-queries';
import { DynamoRevocationStore } from '../store/revocation-store';
import { issuerPrincipalLoader } from '../sts/issuer-principal';
import { directory } from './directory';

const revocationRecords = new DynamoRevocationStore(documentClient, config.mainTable);

export const adminDeps: AdminDeps = {
  store: new DynamoDirectoryAdmin(documentClient, config.mainTable),
  lookup: new DynamoDirectory(dynamoClient, config.mainTable),
  issuances: new DynamoIssuanceQueries(documentClient, config.issuanceTable),
  auditReports: (tenantId, page) => listAuditReports(documentClient, config.mainTable, tenantId, page),
  now: () => new Date(),
  trust: {
    rolePattern: config.tenantRolePattern,
    issuerPrincipal: issuerPrincipalLoader(stsClient, config.issuerPrincipalArn, config.issuerRoleName),
  },
  oidc: { allowLoopbackHttp: config.oidcAllowLoopbackHttp },
  revocationList: (tenantId, page) => revocationRecords.list(tenantId, page),
  // Other containers honour a revocation within the cache TTL; this one at once.
  onRevocation: () => directory.clear(),
};
