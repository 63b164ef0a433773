// Checks the CloudFormation that `sls package` generated (npx tsx scripts/check-package.ts
// [.serverless/cloudformation-template-update-stack.json]):
// - every route of the contract (lib/openapi/routes.ts) and the $default route are wired, each
//   function on nodejs24.x with its own bundle, the audit on a schedule;
// - both tables on-demand with point-in-time recovery, encryption and TTL;
// - each function's IAM role grants exactly the AWS calls its packaged bundle contains, on exactly
//   the tables and indexes the bundle names (IAM is the one thing the local stack cannot check);
// - stage throttling, and every alarm, pointing at the alarm topic, and the dashboard;
// - deployment: both tables Retain, the stack outputs the deploy steps read, the federation user
//   scoped by its sessions' tenant tag.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFunctionCode } from '../bench/package';
import { required } from '../lib/core/required';
import { ROUTES } from '../lib/openapi/routes';

type Json = Record<string, unknown>;
export interface Resource {
  Type: string;
  Properties?: Json;
  Condition?: string;
}
export interface Template {
  Resources: Record<string, Resource & { DeletionPolicy?: string; UpdateReplacePolicy?: string }>;
  Conditions?: Json;
  Outputs?: Record<string, { Value?: unknown }>;
}

/** The outputs the deployment steps read (README "Deploying to AWS"), each with the resource it must name. */
export const EXPECTED_OUTPUTS: Record<string, string> = {
  ApiUrl: 'HttpApi',
  IssuerRoleArn: 'IamRoleLambdaExecution',
  FederationUserArn: 'FederationUser',
  MainTableName: 'MainTable',
  IssuanceTableName: 'IssuanceTable',
};

/** Lambda's current Node.js LTS runtime (issue 18): nodejs22.x and older are refused. */
export const LAMBDA_RUNTIME = 'nodejs24.x';

/** Every route of the contract, and API Gateway's catch-all. */
/** The console's static routes (handlers/console.ts) are no API routes: they are not in the OpenAPI document. */
export const CONSOLE_ROUTES = ['GET /console', 'GET /console/{proxy+}'];
export const EXPECTED_ROUTES = [...ROUTES.map((r) => `${r.method} ${r.path}`), ...CONSOLE_ROUTES, '$default'];

// ---- What a bundle calls ----

/**
 * SDK v3 defines each command as `class extends <command builder>(…, "<Operation>", <schema>){}`.
 * The bundle's own commands sit at module level (`var X=class extends …`); the SDK credential
 * providers' (STS AssumeRoleWithWebIdentity, SSO GetRoleCredentials…) sit in lazily initialised
 * modules (`X=class extends …` inside esbuild's __esm wrapper) that a Lambda, whose credentials come
 * from its environment, never loads. A change in either shape shows up as a grant mismatch.
 */
const MODULE_LEVEL_COMMAND = /(?:^|[;,{}])var [\w$]+=class extends [\w$]+\([\w$]+,[\w$]+,"(\w+)",[\w$]+\)\{\}/g;
/** lib/aws/ssm-parameter.ts signs its one call by hand: the target header names it. */
const SIGNED_CALL = /"(AmazonSSM)\.(\w+)"/g;

const SERVICE_OF: Record<string, string> = {
  ...Object.fromEntries(
    [
      'GetItem',
      'BatchGetItem',
      'PutItem',
      'UpdateItem',
      'DeleteItem',
      'Query',
      'Scan',
      'BatchWriteItem',
      'TransactGetItems',
      'TransactWriteItems',
      'DescribeEndpoints',
    ].map((op) => [op, 'dynamodb']),
  ),
  ...Object.fromEntries(['AssumeRole', 'GetFederationToken', 'GetCallerIdentity', 'DecodeAuthorizationMessage'].map((op) => [op, 'sts'])),
  AmazonSSM: 'ssm',
  ...Object.fromEntries(
    ['Put', 'Delete', 'Get', 'List']
      .flatMap((verb) => [`${verb}RolePolic${verb === 'List' ? 'ies' : 'y'}`, `${verb}UserPolic${verb === 'List' ? 'ies' : 'y'}`])
      .map((op) => [op, 'iam']),
  ),
};

/** Calls that need no grant on the function's role. */
const NEEDS_NO_GRANT = new Set([
  // Needs no permission at all.
  'sts:GetCallerIdentity',
  // Signed with the federation user's keys (read from SSM), not with the role.
  'sts:GetFederationToken',
  // The DynamoDB client's endpoint discovery: off unless configured.
  'dynamodb:DescribeEndpoints',
]);

/**
 * Commands the SDK itself puts in a bundle that our code never sends: @aws-sdk/lib-dynamodb's index
 * builds paginateScan with a module-level createPaginator call, which esbuild must keep, so every
 * bundle of the document client holds a Scan command. Dropped only while no source names it.
 */
const SDK_ONLY: Record<string, RegExp> = { 'dynamodb:Scan': /\bnew Scan(?:Item)?Command\(|\bpaginateScan\(/ };

/**
 * Actions IAM grants only on "*" (no resource-level permissions): granted on "*" alone, in a statement
 * of their own, and only to a function whose bundle calls them.
 */
const RESOURCELESS = new Set(['sts:DecodeAuthorizationMessage']);

/** Permissions an action needs besides its own (AssumeRole with session tags and a source identity). */
const ALSO_NEEDS: Record<string, string[]> = { 'sts:AssumeRole': ['sts:TagSession', 'sts:SetSourceIdentity'] };

/** Which config property (lib/core/config.ts) names which table, by the environment variable it reads. */
const TABLE_PROPERTIES: Record<string, string> = { mainTable: 'MAIN_TABLE', issuanceTable: 'ISSUANCE_TABLE' };

export interface BundleCalls {
  /** IAM actions the role must grant, `service:Action`. */
  actions: Set<string>;
  /** Operations found that the check does not know: the check must learn them. */
  unknown: string[];
  /** Config properties read (mainTable…): the tables the code sends to. */
  tableProperties: Set<string>;
  /** String literals equal to an index name of the template. */
  indexes: Set<string>;
}

/** @param sources the code of lib/ and handlers/, for SDK_ONLY. */
export function bundleCalls(code: string, indexNames: readonly string[], sources: readonly string[] = []): BundleCalls {
  const actions = new Set<string>();
  const unknown: string[] = [];
  const add = (service: string | undefined, op = '') => {
    if (!service) return unknown.push(op);
    const action = `${service}:${op}`;
    if (NEEDS_NO_GRANT.has(action)) return;
    const sdkOnly = SDK_ONLY[action];
    if (sdkOnly && !sources.some((source) => sdkOnly.test(source))) return;
    actions.add(action);
    for (const also of ALSO_NEEDS[action] ?? []) actions.add(also);
  };
  for (const [, op = ''] of code.matchAll(MODULE_LEVEL_COMMAND)) add(SERVICE_OF[op], op);
  for (const [, target = '', op] of code.matchAll(SIGNED_CALL)) add(SERVICE_OF[target], op);
  const tableProperties = new Set(Object.keys(TABLE_PROPERTIES).filter((p) => code.includes(`.${p}`)));
  const indexes = new Set(indexNames.filter((name) => code.includes(`"${name}"`)));
  return { actions, unknown, tableProperties, indexes };
}

// ---- What a role grants ----

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** A resource as the check compares it: `table:MainTable`, `index:MainTable/gsi1`, `logs:HealthLogGroup` or the ARN text. */
export function resourceKey(resource: unknown, template: Template): string {
  const r = resource as Json;
  const getAtt = r?.['Fn::GetAtt'] as [string, string] | undefined;
  if (getAtt?.[1] === 'Arn') {
    const type = template.Resources[getAtt[0]]?.Type;
    if (type === 'AWS::DynamoDB::Table') return `table:${getAtt[0]}`;
    if (type === 'AWS::Logs::LogGroup') return `logs:${getAtt[0]}`;
    if (type === 'AWS::IAM::User') return `user:${getAtt[0]}`;
  }
  const sub = r?.['Fn::Sub'];
  if (typeof sub === 'string') {
    const index = /^\$\{(\w+)\.Arn\}\/index\/([\w.-]+)$/.exec(sub);
    if (index) return `index:${index[1]}/${index[2]}`;
    return sub;
  }
  return typeof resource === 'string' ? resource : JSON.stringify(resource);
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

// ---- The check ----

export interface PackageInput {
  template: Template;
  /** The handler module's code of each function (by logical id). */
  bundles: Record<string, string>;
  /** The TypeScript sources of lib/ and handlers/ (see SDK_ONLY). */
  sources?: string[];
  /** Whether a function's artifact exists (by logical id). */
  hasArtifact?: (logicalId: string, artifact: string | undefined) => boolean;
}

/** The problems of a packaged template; empty when it passes. */
export function checkPackage({ template, bundles, sources = [], hasArtifact = () => true }: PackageInput): string[] {
  const problems: string[] = [];
  const resources = Object.entries(template.Resources);
  const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);

  // Routes.
  const routes = new Set(ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties?.RouteKey as string));
  for (const route of EXPECTED_ROUTES) if (!routes.has(route)) problems.push(`route missing: ${route}`);

  // Tables.
  for (const logicalId of ['MainTable', 'IssuanceTable']) {
    const p =
      template.Resources[logicalId]?.Type === 'AWS::DynamoDB::Table' ? (template.Resources[logicalId]?.Properties as Json) : undefined;
    if (!p) {
      problems.push(`table missing: ${logicalId}`);
      continue;
    }
    if (p.BillingMode !== 'PAY_PER_REQUEST') problems.push(`${logicalId}: not on-demand`);
    if ((p.PointInTimeRecoverySpecification as Json)?.PointInTimeRecoveryEnabled !== true) problems.push(`${logicalId}: no PITR`);
    if ((p.SSESpecification as Json)?.SSEEnabled !== true) problems.push(`${logicalId}: no SSE`);
    if ((p.TimeToLiveSpecification as Json)?.AttributeName !== 'ttl') problems.push(`${logicalId}: no TTL attribute`);
  }
  const indexTable = new Map<string, string>();
  for (const [logicalId, table] of ofType('AWS::DynamoDB::Table')) {
    for (const index of list(table.Properties?.GlobalSecondaryIndexes as Json[])) indexTable.set(index.IndexName as string, logicalId);
  }
  if (indexTable.get('byExpiry') !== 'IssuanceTable') problems.push('IssuanceTable: no byExpiry index for the expiry audit');
  if (!ofType('AWS::Events::Rule').some(([, r]) => typeof r.Properties?.ScheduleExpression === 'string'))
    problems.push('the expiry audit has no schedule');

  // Functions and their roles.
  const functions = ofType('AWS::Lambda::Function');
  if (functions.length === 0) problems.push('no Lambda functions');
  if (template.Resources.IamRoleLambdaExecution && !functions.some(([, fn]) => roleOf(fn) === 'IamRoleLambdaExecution')) {
    problems.push('the shared provider role IamRoleLambdaExecution exists but no function uses it');
  }
  const logGroupOf = (fn: Resource) =>
    ofType('AWS::Logs::LogGroup').find(([, g]) => g.Properties?.LogGroupName === `/aws/lambda/${fn.Properties?.FunctionName}`)?.[0];
  const usersOfRole = new Map<string, string[]>();
  for (const [name, fn] of functions) {
    const role = roleOf(fn);
    if (!role) problems.push(`${name}: no role of its own (Role is ${JSON.stringify(fn.Properties?.Role)})`);
    else usersOfRole.set(role, [...(usersOfRole.get(role) ?? []), name]);
  }

  let commandsFound = 0;
  for (const [name, fn] of functions) {
    if (fn.Properties?.Runtime !== LAMBDA_RUNTIME) problems.push(`${name}: runtime ${fn.Properties?.Runtime}, expected ${LAMBDA_RUNTIME}`);
    const artifact = ((fn.Properties?.Code as Json)?.S3Key as string | undefined)?.split('/').pop();
    if (!hasArtifact(name, artifact)) problems.push(`${name}: no bundle ${artifact}`);
    const code = bundles[name];
    const roleId = roleOf(fn);
    const role = roleId ? template.Resources[roleId] : undefined;
    if (code === undefined || !roleId || role?.Type !== 'AWS::IAM::Role') {
      if (roleId)
        problems.push(`${name}: ${code === undefined ? 'no bundle code to read' : `role ${roleId} is not an AWS::IAM::Role of the stack`}`);
      continue;
    }
    const calls = bundleCalls(code, [...indexTable.keys()], sources);
    commandsFound += calls.actions.size;
    for (const op of calls.unknown) problems.push(`${name}: calls ${op}, which the check does not know (teach SERVICE_OF)`);

    // What it needs: the actions, on the tables its config properties name (by their environment
    // variable's value) and the indexes it names. The log group of each function using the role.
    const env = ((fn.Properties?.Environment as Json)?.Variables ?? {}) as Record<string, string>;
    const tableByName = new Map(ofType('AWS::DynamoDB::Table').map(([id, t]) => [t.Properties?.TableName, id]));
    const needed = new Map<string, Set<string>>();
    const need = (resource: string, action: string) => needed.set(resource, new Set([...(needed.get(resource) ?? []), action]));
    const dynamo = [...calls.actions].filter((a) => a.startsWith('dynamodb:'));
    const tables = [...calls.tableProperties].map((p) => tableByName.get(env[TABLE_PROPERTIES[p] ?? '']));
    if (dynamo.length > 0 && tables.length === 0) problems.push(`${name}: calls DynamoDB but names no table`);
    for (const table of tables) {
      if (!table) problems.push(`${name}: a table it names is not a table of the stack`);
    }
    for (const user of usersOfRole.get(roleId) ?? []) {
      const group = logGroupOf(required(template.Resources[user], `function ${user}`));
      if (!group) problems.push(`${user}: no log group of its own`);
      else for (const a of ['logs:CreateLogStream', 'logs:PutLogEvents']) need(`logs:${group}`, a);
    }
    const wantedDynamo = new Set<string>();
    for (const table of tables.filter(Boolean)) wantedDynamo.add(`table:${table}`);
    for (const index of calls.indexes) wantedDynamo.add(`index:${indexTable.get(index)}/${index}`);

    // What it is granted.
    const statements = list((role.Properties?.Policies as Json[]) ?? []).flatMap((p) =>
      list((p.PolicyDocument as Json).Statement as Statement[]),
    );
    if (role.Properties?.ManagedPolicyArns)
      problems.push(`${roleId}: managed policies ${JSON.stringify(role.Properties.ManagedPolicyArns)}`);
    const trust = JSON.stringify(role.Properties?.AssumeRolePolicyDocument);
    if (!trust?.includes('"Service":"lambda.amazonaws.com"') || trust.includes('"AWS"'))
      problems.push(`${roleId}: trusted by other than Lambda: ${trust}`);
    const granted = new Map<string, Set<string>>();
    for (const st of statements) {
      if (st.Effect !== 'Allow') continue;
      for (const resource of list(st.Resource).map((r) => resourceKey(r, template))) {
        const actions = list(st.Action);
        const resourceless = actions.filter((a) => RESOURCELESS.has(a));
        if (resourceless.length > 0 && (resource !== '*' || resourceless.length !== actions.length))
          problems.push(`${roleId}: ${resourceless.join(', ')} must be granted on "*" alone, in a statement of its own`);
        if (resource === '*' && resourceless.length !== actions.length) problems.push(`${roleId}: grants ${actions.join(', ')} on *`);
        for (const action of list(st.Action)) granted.set(resource, new Set([...(granted.get(resource) ?? []), action]));
      }
    }
    const grantedActions = new Set([...granted.values()].flatMap((s) => [...s]));

    // Logs: its own log groups only.
    for (const [resource, actions] of needed) {
      for (const a of actions) if (!granted.get(resource)?.has(a)) problems.push(`${name}: role ${roleId} lacks ${a} on ${resource}`);
    }
    // Every call it makes is granted; nothing it does not make is.
    for (const action of calls.actions) if (!grantedActions.has(action)) problems.push(`${name}: calls ${action}, role ${roleId} lacks it`);
    for (const action of grantedActions) {
      if (!action.startsWith('logs:') && !calls.actions.has(action))
        problems.push(`${name}: role ${roleId} grants ${action}, never called`);
    }
    for (const [resource, actions] of granted) {
      const service = [...actions][0]?.split(':')[0];
      if (service === 'logs') {
        if (!needed.has(resource)) problems.push(`${name}: role ${roleId} grants logs on ${resource}, not a log group of its functions`);
      } else if (service === 'dynamodb') {
        if (!wantedDynamo.has(resource)) problems.push(`${name}: role ${roleId} grants DynamoDB on ${resource}, which it never names`);
      } else if (service === 'ssm') {
        if (!resource.includes(':parameter/') || resource.includes('*'))
          problems.push(`${name}: ssm on ${resource}: expected one parameter`);
      } else if (service === 'iam') {
        // Revocations write inline policies: role actions on the bound-role pattern, user actions on the federation user.
        for (const action of actions) {
          const onRoles = /^iam:\w+RolePolic(?:y|ies)$/.test(action);
          const onUser = /^iam:\w+UserPolic(?:y|ies)$/.test(action);
          if (onRoles && resource !== env.TENANT_ROLE_PATTERN)
            problems.push(`${name}: ${action} on ${resource}: expected the tenant role pattern ${env.TENANT_ROLE_PATTERN}`);
          else if (onUser && resource !== 'user:FederationUser')
            problems.push(`${name}: ${action} on ${resource}: expected the federation user`);
          else if (!onRoles && !onUser) problems.push(`${name}: ${action} on ${resource}: not an inline-policy action`);
        }
      } else if (service === 'sts') {
        if (resource === '*' && [...actions].every((a) => RESOURCELESS.has(a))) continue;
        if (resource !== env.TENANT_ROLE_PATTERN)
          problems.push(`${name}: sts on ${resource}: expected the tenant role pattern ${env.TENANT_ROLE_PATTERN}`);
      }
    }
    for (const resource of wantedDynamo)
      if (!granted.has(resource)) problems.push(`${name}: names ${resource}, role ${roleId} grants nothing on it`);
  }
  if (functions.length > 0 && commandsFound === 0) problems.push('no AWS call found in any bundle: has the SDK command shape changed?');

  // Stage throttling.
  const stage = ofType('AWS::ApiGatewayV2::Stage')[0]?.[1];
  const settings = stage?.Properties?.DefaultRouteSettings as Json | undefined;
  for (const key of ['ThrottlingRateLimit', 'ThrottlingBurstLimit']) {
    if (!(Number(settings?.[key]) > 0)) problems.push(`HTTP API stage: no ${key} (params apiThrottleRate, apiThrottleBurst)`);
  }

  // Alarms, all to the topic; the dashboard.
  const alarms = ofType('AWS::CloudWatch::Alarm');
  const metricOf = (a: Resource) => a.Properties as Json;
  const dims = (a: Resource) => JSON.stringify(metricOf(a).Dimensions ?? metricOf(a).Metrics);
  const wanted: [string, (a: Resource) => boolean][] = [
    ['API 5xx rate', (a) => dims(a).includes('"5xx"') && dims(a).includes('{"Ref":"HttpApi"}')],
    ...ofType('AWS::DynamoDB::Table').map(([id]): [string, (a: Resource) => boolean] => [
      `DynamoDB throttles on ${id}`,
      (a) => dims(a).includes('ThrottleEvents') && dims(a).includes(`{"Ref":"${id}"}`),
    ]),
    ...functions.flatMap(([id]) =>
      ['Errors', 'Throttles', 'Duration'].map((metric): [string, (a: Resource) => boolean] => [
        `Lambda ${metric} of ${id}`,
        (a) => metricOf(a).Namespace === 'AWS/Lambda' && metricOf(a).MetricName === metric && dims(a).includes(`{"Ref":"${id}"}`),
      ]),
    ),
    ...['AuditRunsFailed', 'AuditWriteFailures', 'StsThrottles'].map((metric): [string, (a: Resource) => boolean] => [
      metric,
      (a) => metricOf(a).MetricName === metric && dims(a).includes('"service"'),
    ]),
    [
      'audit lag, missing data breaching',
      (a) => metricOf(a).MetricName === 'AuditLagSeconds' && metricOf(a).TreatMissingData === 'breaching',
    ],
  ];
  for (const [what, matches] of wanted) if (!alarms.some(([, a]) => matches(a))) problems.push(`no alarm on ${what}`);
  const topic = JSON.stringify(topicOf(template));
  for (const [id, alarm] of alarms) {
    const props = alarm.Properties as Json;
    if (JSON.stringify(props.AlarmActions) !== topic)
      problems.push(`${id}: AlarmActions ${JSON.stringify(props.AlarmActions)}, not the alarm topic`);
  }
  if (template.Resources.AlarmTopic?.Condition !== 'CreateAlarmTopic') problems.push('no AlarmTopic under condition CreateAlarmTopic');
  const dashboard = ofType('AWS::CloudWatch::Dashboard')[0]?.[1];
  if (!dashboard) problems.push('no CloudWatch dashboard');
  else
    for (const [id] of alarms)
      if (!JSON.stringify(dashboard.Properties?.DashboardBody).includes(`\${${id}.Arn}`)) problems.push(`dashboard: no ${id}`);
  problems.push(...deploymentProblems(template));
  return problems;
}

/** The ledger survives removing the stage; the outputs the deploy steps read exist; the federation user is tenant-scoped. */
function deploymentProblems(template: Template): string[] {
  const problems: string[] = [];
  // Both tables are kept when the stack is deleted and when an update would replace them.
  for (const logicalId of ['MainTable', 'IssuanceTable']) {
    const table = template.Resources[logicalId];
    if (table?.DeletionPolicy !== 'Retain') problems.push(`${logicalId}: DeletionPolicy is ${table?.DeletionPolicy}, expected Retain`);
    if (table?.UpdateReplacePolicy !== 'Retain')
      problems.push(`${logicalId}: UpdateReplacePolicy is ${table?.UpdateReplacePolicy}, expected Retain`);
  }
  // Each output must exist and point at the resource it names (Ref / GetAtt / Sub over it).
  const outputs = template.Outputs ?? {};
  for (const [name, resource] of Object.entries(EXPECTED_OUTPUTS)) {
    const value = JSON.stringify(outputs[name]?.Value ?? null);
    if (!outputs[name]) problems.push(`output missing: ${name}`);
    else if (!template.Resources[resource]) problems.push(`output ${name}: resource ${resource} missing`);
    else if (!value.includes(`"${resource}"`) && !value.includes(`\${${resource}}`))
      problems.push(`output ${name} does not refer to ${resource}: ${value}`);
  }
  // The federation user's permissions are customer managed policies of this stack, none inline: IAM counts a
  // user's inline policies together against 2,048 characters, all of which credvend's revocations need (README
  // "Revoking credentials", Size). Each policy scopes object access by the session's tenant tag.
  const user = template.Resources.FederationUser;
  if (user?.Type !== 'AWS::IAM::User') problems.push('FederationUser: no AWS::IAM::User');
  else {
    if (user.Properties?.Policies !== undefined)
      problems.push("FederationUser: inline policies take the revocations' 2,048 characters, use a managed policy");
    const arns = (user.Properties?.ManagedPolicyArns ?? []) as unknown[];
    if (!Array.isArray(arns) || arns.length === 0) problems.push('FederationUser: no managed policy');
    for (const arn of Array.isArray(arns) ? arns : []) {
      const ref = (arn as Json | undefined)?.Ref;
      const policy = typeof ref === 'string' ? template.Resources[ref] : undefined;
      if (policy?.Type !== 'AWS::IAM::ManagedPolicy') {
        problems.push(`FederationUser: managed policy ${JSON.stringify(arn)} is not an AWS::IAM::ManagedPolicy of this stack`);
        continue;
      }
      // Attached only through the user: the same tenant-scoped grants on a role or group would reach further.
      for (const key of ['Users', 'Roles', 'Groups'])
        if (policy.Properties?.[key] !== undefined) problems.push(`${ref}: attached to ${key} besides the federation user`);
      if (
        !JSON.stringify(policy.Properties?.PolicyDocument ?? {})
          .replace(/","/g, '')
          .includes('${aws:PrincipalTag/tenant}')
      )
        problems.push(`${ref}: policy not scoped by \${aws:PrincipalTag/tenant}`);
    }
  }
  return problems;
}

/** The alarm actions every alarm must have: the param's topic, or the stack's own when the param is empty. */
function topicOf(template: Template): unknown[] {
  const condition = (template.Conditions?.CreateAlarmTopic as Json | undefined)?.['Fn::Equals'] as [string, string] | undefined;
  return [{ 'Fn::If': ['CreateAlarmTopic', { Ref: 'AlarmTopic' }, condition?.[0] ?? '?'] }];
}

function roleOf(fn: Resource): string | undefined {
  const getAtt = (fn.Properties?.Role as Json | undefined)?.['Fn::GetAtt'] as [string, string] | undefined;
  return getAtt?.[1] === 'Arn' ? getAtt[0] : undefined;
}

/** Reads the package `sls package` left beside the template. */
export function readPackage(templatePath: string): PackageInput {
  const template = JSON.parse(readFileSync(templatePath, 'utf8')) as Template;
  const dir = dirname(templatePath);
  const bundles: Record<string, string> = {};
  for (const [name, fn] of Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function')) {
    const artifact = ((fn.Properties?.Code as Json)?.S3Key as string | undefined)?.split('/').pop();
    if (artifact && existsSync(join(dir, artifact)))
      // With the modules the handler imports lazily (the vend handler's token verifier): every call it can make.
      bundles[name] = readFunctionCode(join(dir, artifact), fn.Properties?.Handler as string);
  }
  const sourceFiles = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? sourceFiles(join(d, e.name)) : e.name.endsWith('.ts') ? [join(d, e.name)] : [],
    );
  const sources = ['lib', 'handlers'].flatMap(sourceFiles).map((file) => readFileSync(file, 'utf8'));
  return { template, bundles, sources, hasArtifact: (_, artifact) => !!artifact && existsSync(join(dir, artifact)) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const templatePath = process.argv[2] ?? '.serverless/cloudformation-template-update-stack.json';
  const input = readPackage(templatePath);
  const problems = checkPackage(input);
  if (problems.length) {
    console.error(`CloudFormation check failed:\n- ${problems.join('\n- ')}`);
    process.exit(1);
  }
  const fns = Object.keys(input.bundles).length;
  console.log(
    `CloudFormation check passed: ${fns} functions, each role exactly what its bundle calls; routes, tables, throttling, alarms, outputs`,
  );
}
