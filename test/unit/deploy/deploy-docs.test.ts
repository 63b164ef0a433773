// What the README's "Deploying to AWS" and the tenant's template say, against the code they describe:
// the grants table, the params table, the trust policy of docs/tenant-role.yaml; and the deploy
// command's argument handling.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse, type Tags } from 'yaml';
import { trustPolicyFor } from '../../../lib/admin/bindings';
import { UsageError } from '../../../lib/deploy/cli';
import { deployCommand } from '../../../lib/deploy/deploy-command';
import { grantsTable } from '../../../lib/deploy/grants';
import { stageSettings } from '../../../local/tables';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const section = README.slice(README.indexOf('## Deploying to AWS'), README.indexOf('## Expiry audit'));

describe('README "Deploying to AWS"', () => {
  it('lists the grants lib/deploy/grants.ts holds (regenerate the block from grantsTable())', () => {
    const block = /<!-- deployer-grants:start -->\n([\s\S]*?)\n<!-- deployer-grants:end -->/.exec(section)?.[1];
    expect(block).toBe(grantsTable());
  });

  it('documents every param serverless.yml declares, each with its default', () => {
    const { params } = stageSettings('<stage>');
    const rows = new Map([...section.matchAll(/^\| `(\w+)` \| `([^`]*)`/gm)].map((m) => [m[1], m[2]]));
    expect(Object.keys(params).sort()).toEqual([...rows.keys()].sort());
    expect(Object.fromEntries(rows)).toEqual(params);
  });

  it('names every npm script it tells the operator to run, and package.json has each', () => {
    const scripts = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).scripts as Record<string, string>;
    const used = new Set([...section.matchAll(/npm run ([\w-]+)/g)].map((m) => m[1] ?? ''));
    expect([...used].sort()).toEqual(['bootstrap', 'deploy', 'federation-user', 'smoke']);
    expect([...used].filter((name) => !scripts[name])).toEqual([]);
  });
});

// CloudFormation intrinsics as plain markers, so the template's parameters can be substituted.
const cfnTags = [
  { tag: '!Ref', resolve: (v: string) => ({ Ref: v }) },
  { tag: '!GetAtt', resolve: (v: string) => ({ GetAtt: v }) },
] as unknown as Tags;

function substitute(node: unknown, values: Record<string, unknown>): unknown {
  if (Array.isArray(node)) return node.map((n) => substitute(n, values));
  if (node && typeof node === 'object') {
    const ref = (node as { Ref?: string }).Ref;
    if (ref !== undefined) return values[ref];
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, substitute(v, values)]));
  }
  return node;
}

describe('docs/tenant-role.yaml', () => {
  const template = parse(readFileSync(new URL('../../../docs/tenant-role.yaml', import.meta.url), 'utf8'), { customTags: cfnTags });
  const role = template.Resources.TenantRole.Properties;
  const issuer = 'arn:aws:iam::123456789012:role/credvend-prod-eu-west-1-lambdaRole';
  const binding = { version: 1, externalId: 'cv-aaaa', roles: {}, updatedAt: '' };

  it("gives the role exactly the trust view's trust policy, with one external ID and during a rotation", () => {
    const one = substitute(role.AssumeRolePolicyDocument, { IssuerRoleArn: issuer, ExternalIds: ['cv-aaaa'] });
    // A one-element list and a string mean the same to IAM; the template always passes a list.
    const expected = JSON.stringify(trustPolicyFor(issuer, binding)).replace('"sts:ExternalId":"cv-aaaa"', '"sts:ExternalId":["cv-aaaa"]');
    expect(one).toEqual(JSON.parse(expected));
    const two = substitute(role.AssumeRolePolicyDocument, { IssuerRoleArn: issuer, ExternalIds: ['cv-aaaa', 'cv-bbbb'] });
    expect(two).toEqual(trustPolicyFor(issuer, { ...binding, nextExternalId: 'cv-bbbb' }));
  });

  it('puts the role under the path credvend may assume (tenantRolePattern)', () => {
    expect(role.Path).toBe('/credvend/');
    expect(stageSettings('prod').params.tenantRolePattern).toBe('arn:aws:iam::*:role/credvend/*');
  });
});

describe('npm run deploy', () => {
  const known = Object.keys(stageSettings('default').params);
  const usage = (argv: string[]) => {
    try {
      deployCommand(argv, known);
    } catch (err) {
      if (err instanceof UsageError) return err.message;
      throw err;
    }
    return 'accepted';
  };

  it('runs sls deploy with the stage, the region and the params given', () => {
    expect(deployCommand(['--stage', 'prod', '--region', 'eu-west-1', '--param', 'cacheTtlSeconds=5'], known)).toEqual({
      args: ['deploy', '--stage', 'prod', '--region', 'eu-west-1', '--param=cacheTtlSeconds=5'],
      stage: 'prod',
      region: 'eu-west-1',
      dryRun: false,
    });
    expect(deployCommand(['--stage', 'prod', '--region', 'us-gov-west-1', '--dry-run'], known).dryRun).toBe(true);
  });

  it('refuses a missing stage or region, a bad one, an unknown param, a stray argument', () => {
    expect([
      usage(['--region', 'eu-west-1']),
      usage(['--stage', 'prod']),
      usage(['--stage', 'prod/../x', '--region', 'eu-west-1']),
      usage(['--stage', 'prod', '--region', 'europe']),
      usage(['--stage', 'prod', '--region', 'eu-west-1', '--param', 'cacheTTL=5']),
      usage(['--stage', 'prod', '--region', 'eu-west-1', '--param', '=5']),
      usage(['--stage', 'prod', '--region', 'eu-west-1', 'extra']),
      usage(['--stage', 'prod', '--region', 'eu-west-1', '--force']),
    ]).toEqual([
      '--stage is required',
      '--region is required',
      expect.stringContaining('--stage "prod/../x" does not match'),
      expect.stringContaining('--region "europe" does not match'),
      expect.stringContaining('--param cacheTTL: serverless.yml has no such param'),
      '--param "=5": expected name=value',
      expect.stringContaining("Unexpected argument 'extra'"),
      expect.stringContaining("Unknown option '--force'"),
    ]);
  });
});
