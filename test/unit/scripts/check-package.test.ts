// The package check against a small template shaped as `sls package` writes it, and bundle code
// shaped as esbuild writes SDK v3 commands: a least-privilege package passes; each widening fails.
import { describe, expect, it } from '@jest/globals';
import { bundleCalls, checkPackage, EXPECTED_ROUTES, LAMBDA_RUNTIME, type Resource, type Template } from '../../../scripts/check-package';

type Json = Record<string, unknown>;

/** A module-level SDK command as esbuild bundles it, and one inside a lazily loaded module. */
const command = (op: string) => `;var c${op}=class extends Cb(sA,io,"${op}",wA){};`;
const lazyCommand = (op: string) => `;var q,w=d(()=>{x();q=class extends Cb(sA,io,"${op}",wA){}});`;

const ROLE_OPS = ['PutRolePolicy', 'DeleteRolePolicy', 'GetRolePolicy', 'ListRolePolicies'];
const USER_OPS = ['PutUserPolicy', 'DeleteUserPolicy', 'GetUserPolicy', 'ListUserPolicies'];
const IAM_OPS = [...ROLE_OPS, ...USER_OPS];

const BUNDLES = {
  // The issuing path: directory and rate windows on the main table, the ledger, SSM, AssumeRole.
  IssueLambdaFunction: [
    ...['BatchGetItem', 'GetItem', 'PutItem', 'UpdateItem', 'DescribeEndpoints', 'AssumeRole', 'GetFederationToken'].map(command),
    lazyCommand('AssumeRoleWithWebIdentity'),
    '"x-amz-target":"AmazonSSM.GetParameter"',
    'new Dir(c,cfg.mainTable);new Ledger(c,cfg.issuanceTable);',
  ].join(''),
  // Health: one GetItem on the main table; the SDK's lazily loaded AssumeRole does not count.
  HealthLambdaFunction: [command('GetItem'), command('GetCallerIdentity'), lazyCommand('AssumeRole'), 'TableName:cfg.mainTable'].join(''),
  // Admin: the document client (its Scan paginator included) on both tables and two indexes.
  AdminLambdaFunction: [
    ...['GetItem', 'PutItem', 'Query', 'Scan'].map(command),
    'cfg.mainTable;cfg.issuanceTable;IndexName:"gsi1";IndexName:"byPartner"',
  ].join(''),
  // Revocations: its records on the main table, credvend's inline policy on bound roles and the federation user.
  RevokeLambdaFunction: [...['GetItem', 'PutItem', ...IAM_OPS].map(command), 'cfg.mainTable'].join(''),
};

const getAtt = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const logs = (...fns: string[]) => ({
  Effect: 'Allow',
  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  Resource: fns.map((f) => getAtt(`${f}LogGroup`)),
});
const dynamo = (actions: string[], resources: unknown[]) => ({
  Effect: 'Allow',
  Action: actions.map((a) => `dynamodb:${a}`),
  Resource: resources,
});
const index = (table: string, name: string) => ({ 'Fn::Sub': `\${${table}.Arn}/index/${name}` });
const PATTERN = 'arn:aws:iam::*:role/credvend/*';

function role(name: string, statements: Json[]): Resource {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      Policies: [{ PolicyName: name, PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
    },
  };
}

const ACTIONS = [{ 'Fn::If': ['CreateAlarmTopic', { Ref: 'AlarmTopic' }, ''] }];
const alarm = (props: Json): Resource => ({
  Type: 'AWS::CloudWatch::Alarm',
  Properties: { ...props, AlarmActions: ACTIONS, OKActions: ACTIONS },
});
const emf = (metric: string, extra: Json = {}) =>
  alarm({ Namespace: 'credvend', MetricName: metric, Dimensions: [{ Name: 'service', Value: 'credvend' }], ...extra });
const table = (name: string, indexes: string[]): Template['Resources'][string] => ({
  Type: 'AWS::DynamoDB::Table',
  DeletionPolicy: 'Retain',
  UpdateReplacePolicy: 'Retain',
  Properties: {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    SSESpecification: { SSEEnabled: true },
    TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    GlobalSecondaryIndexes: indexes.map((IndexName) => ({ IndexName })),
  },
});

function template(): Template {
  const resources: Template['Resources'] = {
    HttpApi: { Type: 'AWS::ApiGatewayV2::Api' },
    FederationUser: { Type: 'AWS::IAM::User', Properties: { ManagedPolicyArns: [{ Ref: 'FederationPolicy' }] } },
    FederationPolicy: {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Action: 's3:GetObject',
              Resource: { 'Fn::Join': ['', ['arn:aws:s3:::bucket/$', '{aws:PrincipalTag/tenant}/*']] },
            },
          ],
        },
      },
    },
    MainTable: table('credvend-ci-main', ['gsi1']),
    IssuanceTable: table('credvend-ci-issuances', ['byPartner', 'byExpiry']),
    AuditSchedule: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(15 minutes)' } },
    HttpApiStage: {
      Type: 'AWS::ApiGatewayV2::Stage',
      Properties: { DefaultRouteSettings: { ThrottlingRateLimit: '500', ThrottlingBurstLimit: '1000' } },
    },
    AlarmTopic: { Type: 'AWS::SNS::Topic', Condition: 'CreateAlarmTopic' },
    IamRoleLambdaExecution: role('issue', [
      logs('Issue'),
      dynamo(['BatchGetItem', 'GetItem', 'UpdateItem'], [getAtt('MainTable')]),
      dynamo(['GetItem', 'PutItem'], [getAtt('IssuanceTable')]),
      {
        Effect: 'Allow',
        Action: 'ssm:GetParameter',
        Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/credvend/ci/federation-user' },
      },
      { Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'], Resource: PATTERN },
    ]),
    HealthRole: role('health', [logs('Health'), dynamo(['GetItem'], [getAtt('MainTable')])]),
    AdminRole: role('admin', [
      logs('Admin'),
      dynamo(['GetItem', 'PutItem', 'Query'], [getAtt('MainTable')]),
      dynamo(['Query'], [index('MainTable', 'gsi1'), getAtt('IssuanceTable'), index('IssuanceTable', 'byPartner')]),
    ]),
    RevokeRole: role('revoke', [
      logs('Revoke'),
      dynamo(['GetItem', 'PutItem'], [getAtt('MainTable')]),
      { Effect: 'Allow', Action: ROLE_OPS.map((op) => `iam:${op}`), Resource: PATTERN },
      { Effect: 'Allow', Action: USER_OPS.map((op) => `iam:${op}`), Resource: getAtt('FederationUser') },
    ]),
    Api5xx: alarm({
      Metrics: [{ MetricStat: { Metric: { MetricName: '5xx', Dimensions: [{ Name: 'ApiId', Value: { Ref: 'HttpApi' } }] } } }],
    }),
    AuditRunsFailedAlarm: emf('AuditRunsFailed'),
    AuditWriteFailuresAlarm: emf('AuditWriteFailures'),
    StsThrottlesAlarm: emf('StsThrottles'),
    AuditLagAlarm: emf('AuditLagSeconds', { TreatMissingData: 'breaching' }),
  };
  EXPECTED_ROUTES.forEach((RouteKey, i) => {
    resources[`Route${i}`] = { Type: 'AWS::ApiGatewayV2::Route', Properties: { RouteKey } };
  });
  for (const id of ['MainTable', 'IssuanceTable']) {
    resources[`${id}Throttles`] = alarm({
      Metrics: [{ MetricStat: { Metric: { MetricName: 'WriteThrottleEvents', Dimensions: [{ Name: 'TableName', Value: { Ref: id } }] } } }],
    });
  }
  for (const fn of ['Issue', 'Health', 'Admin', 'Revoke']) {
    const env = { MAIN_TABLE: 'credvend-ci-main', ISSUANCE_TABLE: 'credvend-ci-issuances', TENANT_ROLE_PATTERN: PATTERN };
    resources[`${fn}LogGroup`] = { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: `/aws/lambda/credvend-ci-${fn}` } };
    resources[`${fn}LambdaFunction`] = {
      Type: 'AWS::Lambda::Function',
      Properties: {
        FunctionName: `credvend-ci-${fn}`,
        Runtime: 'nodejs24.x',
        Code: { S3Key: `serverless/credvend/ci/1/${fn}.zip` },
        Role: getAtt(fn === 'Issue' ? 'IamRoleLambdaExecution' : `${fn}Role`),
        Environment: { Variables: env },
      },
    };
    for (const metric of ['Errors', 'Throttles', 'Duration']) {
      resources[`${fn}${metric}Alarm`] = alarm({
        Namespace: 'AWS/Lambda',
        MetricName: metric,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: `${fn}LambdaFunction` } }],
      });
    }
  }
  const alarmIds = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
    .map(([id]) => id);
  resources.Dashboard = {
    Type: 'AWS::CloudWatch::Dashboard',
    Properties: { DashboardBody: { 'Fn::Sub': alarmIds.map((id) => `\${${id}.Arn}`).join(',') } },
  };
  return {
    Resources: resources,
    Conditions: { CreateAlarmTopic: { 'Fn::Equals': ['', ''] } },
    Outputs: {
      ApiUrl: { Value: { 'Fn::Sub': 'https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}' } },
      IssuerRoleArn: { Value: getAtt('IamRoleLambdaExecution') },
      FederationUserArn: { Value: getAtt('FederationUser') },
      MainTableName: { Value: { Ref: 'MainTable' } },
      IssuanceTableName: { Value: { Ref: 'IssuanceTable' } },
    },
  };
}

const statementsOf = (t: Template, roleId: string) =>
  ((t.Resources[roleId]!.Properties!.Policies as Json[])[0]!.PolicyDocument as { Statement: Json[] }).Statement;

describe('the package check', () => {
  it('passes a package whose every role is exactly what its bundle calls', () => {
    expect(checkPackage({ template: template(), bundles: BUNDLES })).toEqual([]);
  });

  it('fails a role widened by an action no code path calls (DeleteItem)', () => {
    const t = template();
    (statementsOf(t, 'IamRoleLambdaExecution')[2]!.Action as string[]).push('dynamodb:DeleteItem');
    expect(checkPackage({ template: t, bundles: BUNDLES })).toEqual([
      'IssueLambdaFunction: role IamRoleLambdaExecution grants dynamodb:DeleteItem, never called',
    ]);
  });

  it('fails ssm:GetParameter or sts:AssumeRole on a function that never calls them (health)', () => {
    const t = template();
    statementsOf(t, 'HealthRole').push(statementsOf(t, 'IamRoleLambdaExecution')[3]!, statementsOf(t, 'IamRoleLambdaExecution')[4]!);
    expect(checkPackage({ template: t, bundles: BUNDLES })).toEqual([
      'HealthLambdaFunction: role HealthRole grants ssm:GetParameter, never called',
      'HealthLambdaFunction: role HealthRole grants sts:AssumeRole, never called',
      'HealthLambdaFunction: role HealthRole grants sts:TagSession, never called',
      'HealthLambdaFunction: role HealthRole grants sts:SetSourceIdentity, never called',
    ]);
  });

  it('fails a grant on a table or index the bundle never names, and on *', () => {
    const t = template();
    statementsOf(t, 'HealthRole').push(dynamo(['GetItem'], [getAtt('IssuanceTable')]));
    statementsOf(t, 'AdminRole').push(dynamo(['Query'], [index('IssuanceTable', 'byExpiry'), '*']));
    expect(checkPackage({ template: t, bundles: BUNDLES })).toEqual([
      'HealthLambdaFunction: role HealthRole grants DynamoDB on table:IssuanceTable, which it never names',
      'AdminRole: grants dynamodb:Query on *',
      'AdminLambdaFunction: role AdminRole grants DynamoDB on index:IssuanceTable/byExpiry, which it never names',
      'AdminLambdaFunction: role AdminRole grants DynamoDB on *, which it never names',
    ]);
  });

  it('grants sts:DecodeAuthorizationMessage (no resource-level permissions) on * only where called, alone in its statement', () => {
    const decode = { Effect: 'Allow', Action: ['sts:DecodeAuthorizationMessage'], Resource: '*' };
    // Health never calls it: granted there, it is a problem even on *.
    const t = template();
    statementsOf(t, 'HealthRole').push(decode);
    expect(checkPackage({ template: t, bundles: BUNDLES })).toEqual([
      'HealthLambdaFunction: role HealthRole grants sts:DecodeAuthorizationMessage, never called',
    ]);
    // Admin calls it (in this fixture): on * alone it passes; with another action on *, or on an ARN, it does not.
    const bundles = { ...BUNDLES, AdminLambdaFunction: BUNDLES.AdminLambdaFunction + command('DecodeAuthorizationMessage') };
    const ok = template();
    statementsOf(ok, 'AdminRole').push(decode);
    expect(checkPackage({ template: ok, bundles })).toEqual([]);
    const mixed = template();
    statementsOf(mixed, 'AdminRole').push({ ...decode, Action: ['sts:DecodeAuthorizationMessage', 'sts:AssumeRole'] });
    expect(checkPackage({ template: mixed, bundles })).toEqual(
      expect.arrayContaining(['AdminRole: sts:DecodeAuthorizationMessage must be granted on "*" alone, in a statement of its own']),
    );
    const missing = template();
    expect(checkPackage({ template: missing, bundles })).toEqual([
      'AdminLambdaFunction: calls sts:DecodeAuthorizationMessage, role AdminRole lacks it',
    ]);
  });

  it('fails a call the role lacks, and logs on another function’s log group', () => {
    const t = template();
    statementsOf(t, 'IamRoleLambdaExecution')[2]!.Action = ['dynamodb:GetItem'];
    statementsOf(t, 'HealthRole')[0] = logs('Health', 'Admin');
    expect(checkPackage({ template: t, bundles: BUNDLES })).toEqual([
      'IssueLambdaFunction: calls dynamodb:PutItem, role IamRoleLambdaExecution lacks it',
      'HealthLambdaFunction: role HealthRole grants logs on logs:AdminLogGroup, not a log group of its functions',
    ]);
  });

  it('fails a missing alarm, an alarm to another topic, no stage throttling and a lag alarm that ignores silence', () => {
    const t = template();
    delete t.Resources.StsThrottlesAlarm;
    t.Resources.AdminErrorsAlarm!.Properties!.AlarmActions = ['arn:aws:sns:us-east-1:123456789012:elsewhere'];
    t.Resources.AuditLagAlarm!.Properties!.TreatMissingData = 'notBreaching';
    t.Resources.HttpApiStage!.Properties = {};
    expect(checkPackage({ template: t, bundles: BUNDLES })).toEqual([
      'HTTP API stage: no ThrottlingRateLimit (params apiThrottleRate, apiThrottleBurst)',
      'HTTP API stage: no ThrottlingBurstLimit (params apiThrottleRate, apiThrottleBurst)',
      'no alarm on StsThrottles',
      'no alarm on audit lag, missing data breaching',
      'AdminErrorsAlarm: AlarmActions ["arn:aws:sns:us-east-1:123456789012:elsewhere"], not the alarm topic',
    ]);
  });

  it('fails a function on an older runtime than nodejs24.x, or with none', () => {
    const t = template();
    t.Resources.AdminLambdaFunction!.Properties!.Runtime = 'nodejs22.x';
    delete t.Resources.HealthLambdaFunction!.Properties!.Runtime;
    expect(LAMBDA_RUNTIME).toBe('nodejs24.x');
    expect(checkPackage({ template: t, bundles: BUNDLES })).toEqual([
      'HealthLambdaFunction: runtime undefined, expected nodejs24.x',
      'AdminLambdaFunction: runtime nodejs22.x, expected nodejs24.x',
    ]);
  });

  it('fails the shared provider role and a route of the contract left unwired', () => {
    const t = template();
    // The issuing function moved to a role of its own, the provider role left behind.
    t.Resources.IssueRole = t.Resources.IamRoleLambdaExecution!;
    t.Resources.IssueLambdaFunction!.Properties!.Role = getAtt('IssueRole');
    delete t.Resources.Route0;
    expect(checkPackage({ template: t, bundles: BUNDLES })).toEqual([
      `route missing: ${EXPECTED_ROUTES[0]}`,
      'the shared provider role IamRoleLambdaExecution exists but no function uses it',
    ]);
  });
});

describe('the package check on revocations (#16)', () => {
  it('fails IAM policy writes beyond the bound-role pattern and the federation user, and on a function that never revokes', () => {
    const t = template();
    const st = statementsOf(t, 'RevokeRole');
    st[2]!.Resource = 'arn:aws:iam::*:role/*';
    st[3]!.Resource = PATTERN;
    statementsOf(t, 'AdminRole').push({ Effect: 'Allow', Action: 'iam:PutRolePolicy', Resource: PATTERN });
    expect(checkPackage({ template: t, bundles: BUNDLES })).toEqual([
      'AdminLambdaFunction: role AdminRole grants iam:PutRolePolicy, never called',
      ...ROLE_OPS.map((op) => `RevokeLambdaFunction: iam:${op} on arn:aws:iam::*:role/*: expected the tenant role pattern ${PATTERN}`),
      ...USER_OPS.map((op) => `RevokeLambdaFunction: iam:${op} on ${PATTERN}: expected the federation user`),
    ]);
  });

  it('fails an IAM call the role lacks', () => {
    const t = template();
    (statementsOf(t, 'RevokeRole')[3]!.Action as string[]).pop();
    expect(checkPackage({ template: t, bundles: BUNDLES })).toEqual([
      'RevokeLambdaFunction: calls iam:ListUserPolicies, role RevokeRole lacks it',
    ]);
  });
});

describe('the package check on what a deployment needs (#20)', () => {
  it('fails a table the stack would delete or replace, an output missing or naming another resource, an unscoped federation user', () => {
    const t = template();
    delete t.Resources.MainTable!.DeletionPolicy;
    t.Resources.IssuanceTable!.UpdateReplacePolicy = 'Delete';
    delete t.Outputs!.ApiUrl;
    t.Outputs!.IssuerRoleArn = { Value: getAtt('AdminRole') };
    t.Resources.FederationPolicy!.Properties!.PolicyDocument = { Statement: [{ Resource: '*' }] };
    expect(checkPackage({ template: t, bundles: BUNDLES })).toEqual([
      'MainTable: DeletionPolicy is undefined, expected Retain',
      'IssuanceTable: UpdateReplacePolicy is Delete, expected Retain',
      'output missing: ApiUrl',
      'output IssuerRoleArn does not refer to IamRoleLambdaExecution: {"Fn::GetAtt":["AdminRole","Arn"]}',
      'FederationPolicy: policy not scoped by ${aws:PrincipalTag/tenant}',
    ]);
  });

  it("fails the federation user's permissions inline (they take the revocations' 2,048 characters) or in a policy that is not its own", () => {
    const inline = template();
    const document = inline.Resources.FederationPolicy!.Properties!.PolicyDocument;
    delete inline.Resources.FederationUser!.Properties!.ManagedPolicyArns;
    inline.Resources.FederationUser!.Properties!.Policies = [{ PolicyName: 'credvend-federation', PolicyDocument: document }];
    expect(checkPackage({ template: inline, bundles: BUNDLES })).toEqual([
      "FederationUser: inline policies take the revocations' 2,048 characters, use a managed policy",
      'FederationUser: no managed policy',
    ]);
    const foreign = template();
    foreign.Resources.FederationUser!.Properties!.ManagedPolicyArns = ['arn:aws:iam::aws:policy/AmazonS3FullAccess', { Ref: 'MainTable' }];
    expect(checkPackage({ template: foreign, bundles: BUNDLES })).toEqual([
      'FederationUser: managed policy "arn:aws:iam::aws:policy/AmazonS3FullAccess" is not an AWS::IAM::ManagedPolicy of this stack',
      'FederationUser: managed policy {"Ref":"MainTable"} is not an AWS::IAM::ManagedPolicy of this stack',
    ]);
    const shared = template();
    shared.Resources.FederationPolicy!.Properties!.Roles = [{ Ref: 'AdminRole' }];
    expect(checkPackage({ template: shared, bundles: BUNDLES })).toEqual([
      'FederationPolicy: attached to Roles besides the federation user',
    ]);
  });
});

describe('bundleCalls', () => {
  it('reads module-level commands, the signed SSM call, tables and indexes; not lazily loaded SDK commands', () => {
    const calls = bundleCalls(BUNDLES.IssueLambdaFunction, ['gsi1', 'byPartner']);
    expect([...calls.actions].sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'ssm:GetParameter',
      'sts:AssumeRole',
      'sts:SetSourceIdentity',
      'sts:TagSession',
    ]);
    expect([...calls.tableProperties].sort()).toEqual(['issuanceTable', 'mainTable']);
    expect([...calls.indexes]).toEqual([]);
    expect(bundleCalls(command('PutMetricData'), []).unknown).toEqual(['PutMetricData']);
  });

  it("drops the document client's Scan only while no source sends one", () => {
    expect(bundleCalls(BUNDLES.AdminLambdaFunction, []).actions.has('dynamodb:Scan')).toBe(false);
    expect(
      bundleCalls(BUNDLES.AdminLambdaFunction, [], ['await c.send(new ScanCommand({ TableName }))']).actions.has('dynamodb:Scan'),
    ).toBe(true);
  });
});
