// The benchmark, start to finish: build the bundles as deployment does, start the local stack,
// measure cold init, warm latency and calls, and the expiry audit's reads, then judge the budgets.
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { build as esbuild } from 'esbuild';
import { loadAuditConfig } from '../lib/audit/config';
import { planIssuance } from '../lib/issue';
import { parseKey } from '../lib/keys';
import type { TenantPolicy } from '../lib/model';
import { localDynamoClient } from '../local/dynamo';
import { DEMO_PARTNER, DEMO_TENANT, demoPolicy, seedDemo } from '../local/seed';
import { LOCAL_ACCOUNT, startLocalStack, type LocalStack } from '../local/stack';
import type { AuditMeasurement } from './audit';
import { bundleSet, deploymentBuildOptions, type BuiltBundle, type BundleSet } from './build';
import { coldSamples, type ColdSamples, type ColdTarget } from './cold';
import type { EventSpec } from './events';
import { auditBudgets, evaluateBudgets, type AuditSection, type Budget, type BundleSize, type ColdFigures, type Results, type WarmFigures } from './report';
import { auditFunctionConfig, serverlessConfig, type AuditFunctionConfig, type ServerlessConfig } from './serverless-config';
import { median, percentile } from './stats';
import { runWarm, type WarmResult } from './warm';
import { startCountedDynamo, type CountedDynamo } from './wire';
import { zipEntrySizes } from './zip';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const STAGE = 'bench';
const VEND_FUNCTION = 'issueCredentials';

export interface Settings {
  coldRuns: number;
  firstRequestRuns: number;
  warmup: number;
  issuances: number;
  segment: number;
  auditRecords: number[];
  /** Sizes at which the informational catch-up run (one 24-hour window) is measured too. */
  auditCatchUpRecords: number[];
  otherHandlersCold: boolean;
}

export const SETTINGS: Record<'full' | 'quick', Settings> = {
  // The JIT keeps improving for a few hundred issuances: a long warm-up. Short segments interleave
  // the handlers finely, so a burst of load from elsewhere on the machine hits both alike.
  full: {
    coldRuns: 15,
    firstRequestRuns: 15,
    warmup: 500,
    issuances: 2000,
    segment: 100,
    auditRecords: [10_000, 100_000],
    // The catch-up window holds three quarters of the records, and expiring them is most of the
    // audit's time: at 100,000 records it would add over two minutes for a figure 10,000 shows.
    auditCatchUpRecords: [10_000],
    otherHandlersCold: true,
  },
  quick: {
    coldRuns: 15,
    firstRequestRuns: 0,
    warmup: 100,
    issuances: 200,
    segment: 50,
    auditRecords: [10_000],
    auditCatchUpRecords: [],
    otherHandlersCold: false,
  },
};

export interface BenchOptions {
  quick: boolean;
  log: (line: string) => void;
  /** Overrides of the mode's settings (exploration; `npm run bench` uses none). */
  overrides?: Partial<Settings>;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function machine(loadAtStart: number[]): Results['machine'] {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    date: new Date().toISOString(),
    loadAverage: { start: loadAtStart.map(round2), end: loadavg().map(round2) },
  };
}

/** The same file inside the last `sls package` output (`.serverless/`), if one is lying around. */
function slsPackage(functionName: string, bundle: BuiltBundle): BundleSize['slsPackage'] {
  const zip = join(REPO_ROOT, '.serverless', `${functionName}.zip`);
  if (!existsSync(zip) || statSync(zip).size === 0) return undefined;
  const inZip = bundle.entry.replace(/\.[cm]?tsx?$/, bundle.file.slice(bundle.file.lastIndexOf('.')));
  const bytes = zipEntrySizes(readFileSync(zip)).get(inZip);
  return bytes === undefined ? undefined : { bytes, builtAt: statSync(zip).mtime.toISOString() };
}

function coldFigures(samples: ColdSamples, emptyWallMs: number): ColdFigures {
  return {
    runs: samples.initMs.length,
    initMs: median(samples.wallMs) - emptyWallMs,
    requireMs: median(samples.initMs),
    wallMs: median(samples.wallMs),
    firstRequestMs: samples.firstMs.length > 0 ? median(samples.firstMs) : undefined,
  };
}

function warmFigures(result: WarmResult): WarmFigures {
  const { server } = result;
  const stsByAction = Object.fromEntries(Object.entries(server.stsByAction).map(([action, n]) => [`sts:${action}`, n]));
  return {
    issuances: result.calls.issuances,
    medianMs: median(result.latencyMs),
    p99Ms: percentile(result.latencyMs, 99),
    throughputPerSecond: result.latencyMs.length / (result.elapsedMs / 1000),
    segmentMedianMs: result.segmentMedianMs,
    calls: result.calls,
    server: {
      reads: server.dynamo.reads,
      itemsRead: server.dynamo.itemsRead,
      writes: server.dynamo.writes,
      itemsWritten: server.dynamo.itemsWritten,
      stsCalls: server.stsCalls,
      byOperation: { ...server.dynamo.byOperation, ...stsByAction },
    },
    countsAgree: result.countsAgree,
  };
}

interface Built {
  baseline: BuiltBundle;
  vend: BuiltBundle;
  vendExport: string;
  /** Each handler file once, with the functions it serves. */
  byEntry: Map<string, { functions: string[]; exportName: string; bundle: BuiltBundle }>;
  workerFile: string;
}

async function buildAll(sls: ServerlessConfig, bundles: BundleSet): Promise<Built> {
  const byEntry: Built['byEntry'] = new Map();
  for (const fn of sls.functions) {
    const known = byEntry.get(fn.entry) ?? { functions: [], exportName: fn.exportName, bundle: await bundles.build(fn.entry) };
    known.functions.push(fn.name);
    byEntry.set(fn.entry, known);
  }
  const vendFn = sls.functions.find((f) => f.name === VEND_FUNCTION);
  if (!vendFn) throw new Error(`serverless.yml has no function ${VEND_FUNCTION}`);
  // The warm worker is bundled too, so its process holds nothing but itself and the handler.
  const workerFile = join(bundles.dir, 'bench-worker.mjs');
  await esbuild({
    entryPoints: [join(REPO_ROOT, 'bench/warm-worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: workerFile,
    logLevel: 'silent',
  });
  return {
    baseline: await bundles.build('bench/baseline.ts'),
    vend: byEntry.get(vendFn.entry)!.bundle,
    vendExport: vendFn.exportName,
    byEntry,
    workerFile,
  };
}

interface Fixture {
  env: NodeJS.ProcessEnv;
  vendEvent: EventSpec;
  baselineEvent: EventSpec;
  stsHost: string;
}

/** Seeds the demo tenant and works out the functions' environment and the events. */
async function fixture(sls: ServerlessConfig, stack: LocalStack, dynamo: CountedDynamo, client: DynamoDBDocumentClient): Promise<Fixture> {
  const keys = await seedDemo(client, sls.environment.MAIN_TABLE ?? `credvend-${STAGE}-main`, stack.demoRoleArn, stack.demoExternalId);
  // The baseline sends STS exactly what the vend path plans for the demo partner.
  const document = demoPolicy(stack.demoRoleArn, stack.demoExternalId);
  const policy: TenantPolicy = { tenantId: DEMO_TENANT, version: 1, document, updatedAt: new Date().toISOString() };
  const plan = planIssuance(
    { policy, mode: document.defaultMode, settings: document.modes[document.defaultMode]! },
    { tenantId: DEMO_TENANT, partnerId: DEMO_PARTNER },
    { durationSeconds: 900 },
    '000000000000-bench',
  );
  const tagKeys = plan.mode === 'assume-role' ? Object.keys(plan.request.tags).sort().join() : '';
  if (plan.mode !== 'assume-role' || tagKeys !== 'partner,tenant' || plan.request.policyArns.length > 0) {
    throw new Error('the demo issuance plan changed shape; bench/baseline.ts no longer does the same STS work');
  }
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    ...sls.environment,
    ...stack.env,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
    AWS_EXECUTION_ENV: `AWS_Lambda_${sls.runtime}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    BASELINE_ROLE_ARN: plan.request.roleArn,
    BASELINE_EXTERNAL_ID: plan.request.externalId ?? '',
    BASELINE_SESSION_POLICY: plan.policyText,
    BASELINE_TENANT: DEMO_TENANT,
    BASELINE_PARTNER: DEMO_PARTNER,
    BASELINE_KEY_ID: parseKey(keys.partnerKey)!.keyId,
  };
  const vendEvent: EventSpec = {
    method: 'POST',
    path: '/v1/credentials',
    authorization: `Bearer ${keys.partnerKey}`,
    body: '{"durationSeconds":900}',
  };
  return { env, vendEvent, baselineEvent: { ...vendEvent, authorization: undefined }, stsHost: new URL(stack.env.AWS_ENDPOINT_URL_STS!).host };
}

async function measureCold(settings: Settings, built: Built, fx: Fixture, cwd: string): Promise<Results['cold']> {
  const targets: ColdTarget[] = [
    { name: 'empty' },
    {
      name: 'baseline',
      bundle: built.baseline.file,
      exportName: 'handler',
      firstRequest: { event: fx.baselineEvent, expectStatus: 201, functionName: 'baseline' },
    },
    {
      name: 'vend',
      bundle: built.vend.file,
      exportName: built.vendExport,
      firstRequest: { event: fx.vendEvent, expectStatus: 201, functionName: VEND_FUNCTION },
    },
  ];
  const others = settings.otherHandlersCold ? [...built.byEntry].filter(([, h]) => h.bundle !== built.vend) : [];
  for (const [entry, { bundle, exportName }] of others) targets.push({ name: entry, bundle: bundle.file, exportName });

  const samples = await coldSamples(targets, { runs: settings.coldRuns, firstRequestRuns: settings.firstRequestRuns, env: fx.env, cwd });
  const emptyWallMs = median(samples.empty!.wallMs);
  const of = (name: string) => coldFigures(samples[name]!, emptyWallMs);
  const baseline = of('baseline');
  const vend = of('vend');
  return {
    empty: of('empty'),
    baseline,
    vend,
    others: Object.fromEntries(others.map(([entry]) => [entry, of(entry)])),
    initRatio: vend.initMs / baseline.initMs,
    requireRatio: vend.requireMs / baseline.requireMs,
  };
}

async function measureWarm(settings: Settings, built: Built, fx: Fixture, cwd: string, stack: LocalStack, dynamo: CountedDynamo, ttlMs: number) {
  const common = { expectStatus: 201, stsHost: fx.stsHost };
  const [baseline, vend] = (
    await runWarm(
      [
        {
          name: 'baseline',
          spec: { ...common, bundle: built.baseline.file, exportName: 'handler', functionName: 'baseline', event: fx.baselineEvent },
        },
        {
          name: 'vend',
          spec: { ...common, bundle: built.vend.file, exportName: built.vendExport, functionName: VEND_FUNCTION, event: fx.vendEvent },
        },
      ],
      {
        workerFile: built.workerFile,
        env: fx.env,
        cwd,
        warmup: settings.warmup,
        issuances: settings.issuances,
        segment: settings.segment,
        cacheTtlMs: ttlMs,
        dynamo,
        sts: stack.sts,
      },
    )
  ).map(warmFigures) as [WarmFigures, WarmFigures];
  return {
    baseline,
    vend,
    medianRatio: vend.medianMs / baseline.medianMs,
    p99Ratio: vend.p99Ms / baseline.p99Ms,
    throughputRatio: vend.throughputPerSecond / baseline.throughputPerSecond,
  };
}

async function measureAudits(
  settings: Settings,
  auditFn: AuditFunctionConfig | undefined,
  demo: { roleArn: string; externalId?: string },
  log: (line: string) => void,
): Promise<AuditSection> {
  if (!auditFn || settings.auditRecords.length === 0) return { measured: false, reason: 'no audit sizes asked for', failed: false };
  try {
    // Loaded here, not at the top: an audit module that does not load fails its row, not the bench.
    const { measureAudit } = await import('./audit');
    const schedule = { expression: auditFn.schedule, periodMs: auditFn.periodMs };
    const config = loadAuditConfig(auditFn.environment);
    const runs: AuditMeasurement[] = [];
    for (const records of settings.auditRecords) {
      log(`expiry audit: seeding ${records.toLocaleString('en-US')} issuance records`);
      const m = await measureAudit(records, { schedule, config, ...demo, catchUp: settings.auditCatchUpRecords.includes(records), log });
      const s = m.scheduled;
      log(
        `expiry audit, ${records.toLocaleString('en-US')} records: ${s.runs} runs read ${s.itemsRead.toLocaleString('en-US')} items ` +
          `for ${s.inWindow.toLocaleString('en-US')} in their windows (${s.itemsReadPerWindowItem.toFixed(3)} per item)` +
          `${m.catchUp ? `; the catch-up ${m.catchUp.itemsReadPerWindowItem.toFixed(3)} per item` : ''}; results ${m.correct ? 'right' : 'WRONG'}`,
      );
      runs.push(m);
    }
    return { measured: true, runs };
  } catch (err) {
    return { measured: false, reason: `the audit run failed: ${(err as Error).message}`, failed: true };
  }
}

/**
 * The expiry audit's schedule and environment from serverless.yml. Read before anything is measured:
 * a schedule the bench cannot model (cron, days) stops the bench at once, with the reason.
 */
function auditFunction(settings: Settings): AuditFunctionConfig | undefined {
  return settings.auditRecords.length > 0 ? auditFunctionConfig(STAGE) : undefined;
}

/** Only the expiry audit (`npm run bench -- --only audit`): no bundles, no local STS. */
export async function runAuditBench(opts: BenchOptions): Promise<{ settings: Settings; audit: AuditSection; budgets: Budget[] }> {
  const settings: Settings = { ...SETTINGS[opts.quick ? 'quick' : 'full'], ...opts.overrides };
  const auditFn = auditFunction(settings);
  // The audit never calls STS: the role only goes into the demo policy and the synthetic records,
  // so it is the local stack's demo role without starting the stack.
  const audit = await measureAudits(settings, auditFn, { roleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/credvend-demo-partner` }, opts.log);
  return { settings, audit, budgets: auditBudgets(audit) };
}

export async function runBench(opts: BenchOptions): Promise<Results> {
  const settings: Settings = { ...SETTINGS[opts.quick ? 'quick' : 'full'], ...opts.overrides };
  const loadAtStart = loadavg();
  const sls = serverlessConfig(STAGE);
  const auditFn = auditFunction(settings);
  const cacheTtlSeconds = Number(sls.environment.CACHE_TTL_SECONDS ?? 15);
  opts.log('building bundles with the options of serverless.yml custom.esbuild');
  const bundles = bundleSet(REPO_ROOT, deploymentBuildOptions(sls));
  try {
    const built = await buildAll(sls, bundles);
    opts.log('starting the local stack (dynalite with counting, local STS)');
    const stack = await startLocalStack({ stage: STAGE });
    const dynamo = await startCountedDynamo(STAGE);
    const client = DynamoDBDocumentClient.from(localDynamoClient(dynamo.url), { marshallOptions: { removeUndefinedValues: true } });
    try {
      const fx = await fixture(sls, stack, dynamo, client);
      opts.log(`cold init: ${settings.coldRuns} fresh processes per handler`);
      const cold = await measureCold(settings, built, fx, bundles.dir);
      opts.log(`warm: ${settings.issuances} issuances per handler after ${settings.warmup} warm-up, in segments of ${settings.segment}`);
      const warm = await measureWarm(settings, built, fx, bundles.dir, stack, dynamo, cacheTtlSeconds * 1000);
      const audit = await measureAudits(settings, auditFn, { roleArn: stack.demoRoleArn, externalId: stack.demoExternalId }, opts.log);

      const results: Omit<Results, 'budgets'> = {
        mode: opts.quick ? 'quick' : 'full',
        machine: machine(loadAtStart),
        settings: { ...settings, cacheTtlSeconds, stage: STAGE, esbuild: bundles.options, auditSchedule: auditFn?.schedule },
        bundles: {
          baseline: { functions: [], entry: built.baseline.entry, bytes: built.baseline.bytes, gzipBytes: built.baseline.gzipBytes },
          handlers: [...built.byEntry.values()].map(({ functions, bundle }) => ({
            functions,
            entry: bundle.entry,
            bytes: bundle.bytes,
            gzipBytes: bundle.gzipBytes,
            slsPackage: slsPackage(functions[0]!, bundle),
          })),
          vendRatio: built.vend.bytes / built.baseline.bytes,
        },
        cold,
        warm,
        audit,
      };
      return { ...results, budgets: evaluateBudgets(results) };
    } finally {
      client.destroy();
      await dynamo.close();
      await stack.close();
    }
  } finally {
    rmSync(bundles.dir, { recursive: true, force: true });
  }
}
