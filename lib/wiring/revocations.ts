// Composition root for the revocations function: the admin API's ports plus the revocation store and
// the IAM writer. Only this function holds the IAM grants (serverless.yml RevocationsRole).

import { randomBytes } from 'node:crypto';
import { IAMClient } from '@aws-sdk/client-iam';
import type { AdminDeps } from '../admin/ports';
import { revocationPolicyWriter } from '../admin/revocation-writer';
import { requestHandler } from '../aws/clients';
import { documentClient } from '../aws/document-client';
import { base32 } from '../core/base32';
import { config } from '../core/config';
import { issuanceLookup } from '../store/issuance-lookup';
import { DynamoRevocationStore } from '../store/revocation-store';
import { IamInlinePolicies } from '../sts/iam-inline-policy';
import { adminDeps } from './admin';

const store = new DynamoRevocationStore(documentClient, config.mainTable);
// IAM is a global service: us-east-1 signs for it whatever the function's region (the SDK's own default endpoint).
const iam = new IAMClient({ maxAttempts: 3, requestHandler, region: 'us-east-1' });

/** Time-ordered (ms in base 36, 8 characters until 2059) then 80 random bits: letters and digits only, as IAM's Sid. */
const newRevocationId = (): string => `rv${Date.now().toString(36).padStart(9, '0')}${base32(randomBytes(16))}`;

export const revocationDeps: AdminDeps = {
  ...adminDeps,
  revocations: {
    store,
    writer: revocationPolicyWriter(store.policyDocuments(), new IamInlinePolicies(iam)),
    issuance: issuanceLookup(documentClient, config.issuanceTable),
    federationUser: config.federationUserName,
    newId: newRevocationId,
  },
};
