// Checks the CloudFormation that `sls package` generated: every route of the contract is wired
// to a nodejs22.x function with its own bundle, the audit runs on a schedule, and both tables
// have on-demand billing, point-in-time recovery, encryption and TTL.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const templatePath = process.argv[2] ?? '.serverless/cloudformation-template-update-stack.json';
const template = JSON.parse(readFileSync(templatePath, 'utf8'));
const resources = Object.entries(template.Resources);
const problems = [];

export const EXPECTED_ROUTES = [
  'GET /v1/health',
  'POST /v1/credentials',
  'GET /v1/credentials',
  'GET /v1/whoami',
  'GET /v1/openapi.json',
  'POST /v1/tenants',
  'GET /v1/tenants',
  'POST /v1/tenants/{tenantId}/disable',
  'POST /v1/tenants/{tenantId}/enable',
  'POST /v1/tenants/{tenantId}/admin-keys',
  'DELETE /v1/tenants/{tenantId}/admin-keys/{keyId}',
  'GET /v1/tenants/{tenantId}/binding',
  'PUT /v1/tenants/{tenantId}/binding',
  'POST /v1/tenants/{tenantId}/binding/external-id/rotate',
  'POST /v1/tenants/{tenantId}/binding/external-id/activate',
  'GET /v1/tenants/{tenantId}/trust',
  'GET /v1/tenants/{tenantId}/policy',
  'PUT /v1/tenants/{tenantId}/policy',
  'GET /v1/tenants/{tenantId}/policy/versions',
  'POST /v1/tenants/{tenantId}/policy/preview',
  'POST /v1/tenants/{tenantId}/partners',
  'GET /v1/tenants/{tenantId}/partners',
  'POST /v1/tenants/{tenantId}/partners/{partnerId}/disable',
  'POST /v1/tenants/{tenantId}/partners/{partnerId}/enable',
  'POST /v1/tenants/{tenantId}/partners/{partnerId}/keys',
  'GET /v1/tenants/{tenantId}/partners/{partnerId}/keys',
  'POST /v1/tenants/{tenantId}/partners/{partnerId}/keys/{keyId}/rotate',
  'DELETE /v1/tenants/{tenantId}/partners/{partnerId}/keys/{keyId}',
  'GET /v1/tenants/{tenantId}/issuances',
  'GET /v1/tenants/{tenantId}/audit-reports',
  'POST /v1/operator-keys',
  'GET /v1/operator-keys',
  'DELETE /v1/operator-keys/{keyId}',
];

const routes = new Set(resources.filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey));
for (const route of EXPECTED_ROUTES) if (!routes.has(route)) problems.push(`route missing: ${route}`);

const functions = resources.filter(([, r]) => r.Type === 'AWS::Lambda::Function');
if (functions.length === 0) problems.push('no Lambda functions');
for (const [name, fn] of functions) {
  if (fn.Properties.Runtime !== 'nodejs22.x') problems.push(`${name}: runtime ${fn.Properties.Runtime}`);
  const artifact = fn.Properties.Code?.S3Key?.split('/').pop();
  if (!artifact || !existsSync(join(dirname(templatePath), artifact))) problems.push(`${name}: no bundle ${artifact}`);
}

for (const logicalId of ['MainTable', 'IssuanceTable']) {
  const table = template.Resources[logicalId];
  if (table?.Type !== 'AWS::DynamoDB::Table') {
    problems.push(`table missing: ${logicalId}`);
    continue;
  }
  const p = table.Properties;
  if (p.BillingMode !== 'PAY_PER_REQUEST') problems.push(`${logicalId}: not on-demand`);
  if (p.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled !== true) problems.push(`${logicalId}: no PITR`);
  if (p.SSESpecification?.SSEEnabled !== true) problems.push(`${logicalId}: no SSE`);
  if (p.TimeToLiveSpecification?.AttributeName !== 'ttl') problems.push(`${logicalId}: no TTL attribute`);
}
const expiryIndex = template.Resources.IssuanceTable?.Properties.GlobalSecondaryIndexes?.find((i) => i.IndexName === 'byExpiry');
if (!expiryIndex) problems.push('IssuanceTable: no byExpiry index for the expiry audit');

// The function role must allow every DynamoDB operation the deployed code sends (IAM is the one
// thing the local stack cannot check): document-client commands (GetCommand) and plain-client
// commands (GetItemCommand) alike.
const DYNAMO_ACTIONS = {
  Get: 'GetItem',
  BatchGet: 'BatchGetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  Query: 'Query',
  Scan: 'Scan',
  BatchWrite: 'BatchWriteItem',
  TransactWrite: 'TransactWriteItems',
  GetItem: 'GetItem',
  BatchGetItem: 'BatchGetItem',
  PutItem: 'PutItem',
  UpdateItem: 'UpdateItem',
  DeleteItem: 'DeleteItem',
  BatchWriteItem: 'BatchWriteItem',
  TransactWriteItems: 'TransactWriteItems',
};
const sourceFiles = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
const used = new Set(
  ['lib', 'handlers']
    .flatMap(sourceFiles)
    .flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/new (\w+?)Command\(/g)].map((m) => DYNAMO_ACTIONS[m[1]]).filter(Boolean)),
);
const role = template.Resources.IamRoleLambdaExecution?.Properties.Policies?.flatMap((p) => p.PolicyDocument.Statement) ?? [];
const allowed = new Set(role.flatMap((st) => [].concat(st.Action)).filter((a) => typeof a === 'string'));
for (const action of used) if (!allowed.has(`dynamodb:${action}`)) problems.push(`function role does not allow dynamodb:${action}`);

// The functions may assume only tenant roles under the configured pattern, never any role.
const assume = role.filter((st) => [].concat(st.Action).includes('sts:AssumeRole'));
if (assume.length === 0) problems.push('function role cannot sts:AssumeRole');
for (const st of assume) {
  const resources = [].concat(st.Resource);
  if (resources.some((r) => typeof r !== 'string' || r === '*' || !r.startsWith('arn:aws:iam::'))) {
    problems.push(`sts:AssumeRole is granted on ${JSON.stringify(st.Resource)}: expected the tenant role pattern only`);
  }
}

// ---- Deployment (#20): the ledger survives removing the stage; the outputs the deploy steps read ----
// Both tables are kept when the stack is deleted and when an update would replace them.
for (const logicalId of ['MainTable', 'IssuanceTable']) {
  const table = template.Resources[logicalId];
  if (table?.DeletionPolicy !== 'Retain') problems.push(`${logicalId}: DeletionPolicy is ${table?.DeletionPolicy}, expected Retain`);
  if (table?.UpdateReplacePolicy !== 'Retain')
    problems.push(`${logicalId}: UpdateReplacePolicy is ${table?.UpdateReplacePolicy}, expected Retain`);
}
// Each output must exist and point at the resource it names (Ref / GetAtt / Sub over it).
const EXPECTED_OUTPUTS = {
  ApiUrl: 'HttpApi',
  IssuerRoleArn: 'IamRoleLambdaExecution',
  FederationUserArn: 'FederationUser',
  MainTableName: 'MainTable',
  IssuanceTableName: 'IssuanceTable',
};
const outputs = template.Outputs ?? {};
for (const [name, resource] of Object.entries(EXPECTED_OUTPUTS)) {
  const value = JSON.stringify(outputs[name]?.Value ?? null);
  if (!outputs[name]) problems.push(`output missing: ${name}`);
  else if (!template.Resources[resource]) problems.push(`output ${name}: resource ${resource} missing`);
  else if (!value.includes(`"${resource}"`) && !value.includes(`\${${resource}}`))
    problems.push(`output ${name} does not refer to ${resource}: ${value}`);
}
// The federation user's policy scopes object access by the session's tenant tag.
const federationPolicy = JSON.stringify(template.Resources.FederationUser?.Properties?.Policies ?? []);
if (template.Resources.FederationUser?.Type !== 'AWS::IAM::User') problems.push('FederationUser: no AWS::IAM::User');
else if (!federationPolicy.replace(/","/g, '').includes('${aws:PrincipalTag/tenant}'))
  problems.push('FederationUser: policy not scoped by ${aws:PrincipalTag/tenant}');

if (problems.length) {
  console.error(`CloudFormation check failed:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(`CloudFormation check passed: ${functions.length} functions, ${routes.size} routes, 2 tables`);
