// The benchmark, start to finish: read the bundles from the `sls package` output and package the
// baseline as serverless-esbuild packages a function, start the local stack, measure cold init, warm
// latency and calls, and the expiry audit's reads, then judge the budgets.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { build as esbuild } from 'esbuild';
import { loadAuditConfig } from '../lib/audit/config';
import type { TenantPolicy } from '../lib/core/model';
import { parseKey } from '../lib/identity/api-key';
import { planIssuance } from '../lib/vend/issue';
import { localDynamoClient } from '../local/dynamo';
import type { LocalOidcIssuer } from '../local/oidc';
import { DEMO_PARTNER, DEMO_TENANT, demoBinding, demoPolicy, seedDemo } from '../local/seed';
import { LOCAL_ACCOUNT, type LocalStack, startLocalStack } from '../local/stack';
import type { AuditMeasurement } from './audit';
import { type ColdSamples, type ColdTarget, coldSamples } from './cold';
import { measureConsole } from './console';
import type { EventSpec } from './events';
import {
  assertSameBundle,
  extractZip,
  type PackagedBundle,
  type PackagedHandler,
  packageLikeService,
  readFunctionZip,
  readSlsPackage,
  type SlsPackage,
  splitHandler,
} from './package';
import {
  type AuditSection,
  auditBudgets,
  type Budget,
  type BundleSize,
  bundleFigures,
  type ColdFigures,
  evaluateBudgets,
  LIMITS,
  type Machine,
  type Results,
  type TokenSection,
  tokenBudgets,
  type WarmFigures,
} from './report';
import { measureScope } from './scope';
import { type AuditFunctionConfig, auditFunctionConfig, type ServerlessConfig, serverlessConfig } from './serverless-config';
import { median, percentile } from './stats';
import { TOKEN_PARTNER, tokenFixture } from './token';
import { runWarm, type WarmResult, type WarmTarget } from './warm';
import { type CountedDynamo, startCountedDynamo } from './wire';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where `sls package` writes the deployment zips and serverless-state.json. */
export const SLS_PACKAGE_DIR = join(REPO_ROOT, '.serverless');
const STAGE = 'bench';
const VEND_FUNCTION = 'issueCredentials';
/** The baseline, packaged as if it were one more function of the service. */
const BASELINE_FUNCTION = 'benchBaseline';
const BASELINE_HANDLER = 'bench/baseline.handler';

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
  /** Fresh processes for the token issuance's cold row (and the baseline's first request beside it). */
  tokenColdRuns: number;
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
    tokenColdRuns: 15,
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
    tokenColdRuns: 7,
  },
};

export interface BenchOptions {
  quick: boolean;
  log: (line: string) => void;
  /** Overrides of the mode's settings (exploration; `npm run bench` uses none). */
  overrides?: Partial<Settings>;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function machine(loadAtStart: number[]): Machine {
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
    ...(result.name === 'token' ? { issuerRequests: { warmup: result.warmupIssuerRequests, measured: server.issuerRequests } } : {}),
  };
}

/** A packaged handler module, extracted where the bench's processes can load it. */
interface Runnable {
  bundle: PackagedBundle;
  functions: string[];
  exportName: string;
  /** The extracted module. */
  file: string;
}

interface Built {
  /** The temporary directory everything below sits in. */
  dir: string;
  pkg: SlsPackage;
  baseline: Runnable;
  vend: Runnable;
  /** Each handler module of the package once, with the functions it serves. */
  handlers: Runnable[];
  workerFile: string;
}

/**
 * The measured bundles: each handler module of the package, its zip extracted into a directory of
 * its own (as Lambda unpacks it into /var/task), and the baseline, packaged now by serverless-esbuild
 * with the package's options. The vend function is packaged again beside the baseline and must come
 * out byte for byte as in the package (`assertSameBundle`); nothing else is rebuilt.
 */
async function prepareBundles(log: (line: string) => void): Promise<Built> {
  const pkg = readSlsPackage(SLS_PACKAGE_DIR);
  const vendHandler = pkg.handlers.find((h) => h.functions.includes(VEND_FUNCTION));
  const vendFn = pkg.state.functions[VEND_FUNCTION];
  if (!vendHandler || !vendFn) throw new Error(`the package in ${SLS_PACKAGE_DIR} has no function ${VEND_FUNCTION}`);
  const dir = mkdtempSync(join(tmpdir(), 'credvend-bench-'));
  try {
    log(`packaging the baseline with serverless-esbuild and the options of the package (stage ${pkg.state.stage}, written ${pkg.builtAt})`);
    const zips = await packageLikeService(
      pkg.state,
      { [BASELINE_FUNCTION]: { handler: BASELINE_HANDLER, runtime: vendFn.runtime }, [VEND_FUNCTION]: vendFn },
      { repoRoot: REPO_ROOT, workDir: join(dir, 'sls'), warn: log },
    );
    assertSameBundle(vendHandler, readFunctionZip(zips[VEND_FUNCTION]!, vendFn.handler), pkg.builtAt);
    // Each zip in a directory of its own, as Lambda unpacks it into /var/task.
    const runnable = (task: string, bundle: PackagedBundle, functions: string[], exportName: string): Runnable => {
      const root = join(dir, 'task', task);
      extractZip(bundle.zip, root);
      return { bundle, functions, exportName, file: join(root, bundle.path) };
    };
    const handlers = pkg.handlers.map((h: PackagedHandler) => runnable(h.functions[0]!, h, h.functions, h.exportName));
    const baselineBundle = readFunctionZip(zips[BASELINE_FUNCTION]!, BASELINE_HANDLER);
    const baseline = runnable(BASELINE_FUNCTION, baselineBundle, [], splitHandler(BASELINE_HANDLER).exportName);
    // The warm worker is the bench's own harness, bundled so its process holds nothing but itself
    // and the handler; it is no part of what is measured.
    const workerFile = join(dir, 'bench-worker.mjs');
    await esbuild({
      entryPoints: [join(REPO_ROOT, 'bench/warm-worker.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      outfile: workerFile,
      logLevel: 'silent',
    });
    return {
      dir,
      pkg,
      baseline,
      vend: { ...handlers.find((h) => h.bundle === vendHandler)!, exportName: splitHandler(vendFn.handler).exportName },
      handlers,
      workerFile,
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

function bundleSize(r: Runnable): BundleSize {
  const { path, bytes, gzipBytes, zipBytes } = r.bundle;
  return { functions: r.functions, entry: path, bytes, gzipBytes, zipBytes };
}

interface Fixture {
  env: NodeJS.ProcessEnv;
  vendEvent: EventSpec;
  baselineEvent: EventSpec;
  stsHost: string;
}

/** Token-authenticated issuance: the local OIDC issuer, its token in the vend event, and the environment that lets the handler fetch from it. */
interface TokenRun {
  issuer: LocalOidcIssuer;
  event: EventSpec;
  /** The stage's environment and what the lazily loaded verifier reads on a local stage; only the token processes get it. */
  env: NodeJS.ProcessEnv;
}

async function tokenRun(sls: ServerlessConfig, fx: Fixture, client: DynamoDBDocumentClient): Promise<TokenRun> {
  const tk = await tokenFixture(client, sls.environment.MAIN_TABLE ?? `credvend-${STAGE}-main`);
  return { issuer: tk.issuer, event: { ...fx.vendEvent, authorization: `Bearer ${tk.token}` }, env: { ...fx.env, ...tk.env } };
}

/** Seeds the demo tenant and works out the functions' environment and the events. */
async function fixture(sls: ServerlessConfig, stack: LocalStack, dynamo: CountedDynamo, client: DynamoDBDocumentClient): Promise<Fixture> {
  const keys = await seedDemo(client, sls.environment.MAIN_TABLE ?? `credvend-${STAGE}-main`, stack.demoRoleArn, stack.demoExternalId);
  // The baseline sends STS exactly what the vend path plans for the demo partner.
  const document = demoPolicy();
  const policy: TenantPolicy = { tenantId: DEMO_TENANT, version: 1, document, updatedAt: new Date().toISOString() };
  const binding = demoBinding(DEMO_TENANT, stack.demoRoleArn, stack.demoExternalId);
  const plan = planIssuance(
    { policy, binding, mode: document.defaultMode, settings: document.modes[document.defaultMode]! },
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
  return {
    env,
    vendEvent,
    baselineEvent: { ...vendEvent, authorization: undefined },
    stsHost: new URL(stack.env.AWS_ENDPOINT_URL_STS!).host,
  };
}

/** What a run measures: the key rows (full and quick runs), the token rows (those and `--only token`). */
interface Parts {
  key: boolean;
  token?: TokenRun;
}

function tokenCold(samples: Record<string, ColdSamples>, runs: number, issuerRequests: number, key: boolean): TokenSection['cold'] {
  const baselineMs = median(samples.baseline!.firstTotalMs);
  const tokenMs = median(samples.token!.firstTotalMs);
  const keyTotals = key ? samples.vend!.firstTotalMs : [];
  const keyMs = keyTotals.length > 0 ? median(keyTotals) : undefined;
  return {
    runs,
    baselineMs,
    tokenMs,
    ratio: tokenMs / baselineMs,
    ...(keyMs !== undefined ? { keyMs, keyRatio: keyMs / baselineMs } : {}),
    baselineFirstMs: median(samples.baseline!.firstMs),
    tokenFirstMs: median(samples.token!.firstMs),
    issuerRequestsPerProcess: issuerRequests / runs,
  };
}

/**
 * Cold starts. The key rows: import-only probes of the baseline, the vend handler and (full runs)
 * the other handlers, then first requests. The token row: fresh processes of the vend handler whose
 * first request carries the token (so it loads web-identity.mjs and fetches the issuer's discovery
 * and JWKS), beside as many first requests of the baseline.
 */
async function measureCold(
  settings: Settings,
  built: Built,
  fx: Fixture,
  cwd: string,
  parts: Parts,
): Promise<{ key?: Results['cold']; token?: TokenSection['cold'] }> {
  const tokenRuns = parts.token ? settings.tokenColdRuns : 0;
  const targets: ColdTarget[] = [
    ...(parts.key ? [{ name: 'empty' }] : []),
    {
      name: 'baseline',
      bundle: built.baseline.file,
      exportName: built.baseline.exportName,
      importRuns: parts.key,
      firstRequest: {
        event: fx.baselineEvent,
        expectStatus: 201,
        functionName: 'baseline',
        runs: Math.max(parts.key ? settings.firstRequestRuns : 0, tokenRuns),
      },
    },
  ];
  if (parts.key) {
    targets.push({
      name: 'vend',
      bundle: built.vend.file,
      exportName: built.vend.exportName,
      firstRequest: { event: fx.vendEvent, expectStatus: 201, functionName: VEND_FUNCTION },
    });
  }
  if (parts.token) {
    targets.push({
      name: 'token',
      bundle: built.vend.file,
      exportName: built.vend.exportName,
      // The module loads as for the key rows; only its first request differs.
      importRuns: false,
      env: parts.token.env,
      firstRequest: { event: parts.token.event, expectStatus: 201, functionName: VEND_FUNCTION, runs: tokenRuns },
    });
  }
  const others = parts.key && settings.otherHandlersCold ? built.handlers.filter((h) => h.bundle !== built.vend.bundle) : [];
  for (const h of others) targets.push({ name: h.bundle.path, bundle: h.file, exportName: h.exportName });

  const issuerBefore = parts.token?.issuer.requests();
  const samples = await coldSamples(targets, {
    runs: parts.key ? settings.coldRuns : 0,
    firstRequestRuns: settings.firstRequestRuns,
    env: fx.env,
    cwd,
  });
  let token: TokenSection['cold'] | undefined;
  if (parts.token && issuerBefore) {
    const after = parts.token.issuer.requests();
    const issuerRequests = after.discovery + after.jwks - issuerBefore.discovery - issuerBefore.jwks;
    token = tokenCold(samples, tokenRuns, issuerRequests, parts.key);
  }
  if (!parts.key) return { token };
  const emptyWallMs = median(samples.empty!.wallMs);
  const of = (name: string) => coldFigures(samples[name]!, emptyWallMs);
  const baseline = of('baseline');
  const vend = of('vend');
  const key: Results['cold'] = {
    empty: of('empty'),
    baseline,
    vend,
    others: Object.fromEntries(others.map((h) => [h.bundle.path, of(h.bundle.path)])),
    initRatio: vend.initMs / baseline.initMs,
    requireRatio: vend.requireMs / baseline.requireMs,
  };
  return { key, token };
}

const ratios = (baseline: WarmFigures, measured: WarmFigures) => ({
  medianRatio: measured.medianMs / baseline.medianMs,
  p99Ratio: measured.p99Ms / baseline.p99Ms,
  throughputRatio: measured.throughputPerSecond / baseline.throughputPerSecond,
});

/**
 * Warm issuances, the baseline and each measured handler in a worker of its own, interleaved in one
 * run: the key rows and the token rows are judged against the same baseline figures.
 */
async function measureWarm(
  settings: Settings,
  built: Built,
  fx: Fixture,
  cwd: string,
  stack: LocalStack,
  dynamo: CountedDynamo,
  ttlMs: number,
  parts: Parts,
): Promise<{ key?: Results['warm']; token?: TokenSection['warm'] }> {
  const common = { expectStatus: 201, stsHost: fx.stsHost };
  const vend = { ...common, bundle: built.vend.file, exportName: built.vend.exportName, functionName: VEND_FUNCTION };
  const targets: WarmTarget[] = [
    {
      name: 'baseline',
      spec: {
        ...common,
        bundle: built.baseline.file,
        exportName: built.baseline.exportName,
        functionName: 'baseline',
        event: fx.baselineEvent,
      },
    },
  ];
  if (parts.key) targets.push({ name: 'vend', spec: { ...vend, event: fx.vendEvent } });
  if (parts.token) targets.push({ name: 'token', spec: { ...vend, event: parts.token.event }, env: parts.token.env });
  const results = await runWarm(targets, {
    workerFile: built.workerFile,
    env: fx.env,
    cwd,
    warmup: settings.warmup,
    issuances: settings.issuances,
    segment: settings.segment,
    cacheTtlMs: ttlMs,
    dynamo,
    sts: stack.sts,
    issuer: parts.token?.issuer,
  });
  const of = (name: string) => warmFigures(results.find((r) => r.name === name)!);
  const baseline = of('baseline');
  const key = parts.key
    ? (() => {
        const v = of('vend');
        return { baseline, vend: v, ...ratios(baseline, v) };
      })()
    : undefined;
  const token = parts.token
    ? (() => {
        const t = of('token');
        return { baseline, token: t, ...ratios(baseline, t) };
      })()
    : undefined;
  return { key, token };
}

async function measureAudits(
  settings: Settings,
  auditFn: AuditFunctionConfig | undefined,
  demo: { roleArn: string; externalId: string },
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
  const audit = await measureAudits(
    settings,
    auditFn,
    { roleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/credvend/demo-partner`, externalId: 'cv-bench-audit' },
    opts.log,
  );
  return { settings, audit, budgets: auditBudgets(audit) };
}

/**
 * `--only bundle`: the bundle-bytes row alone (issue 19) — the baseline packaged like the service,
 * against the vend handler module of the `sls package` output; no stack, no timings, nothing written.
 */
export async function runBundleBench(opts: BenchOptions): Promise<{ bundles: Results['bundles']; budget: Budget }> {
  const built = await prepareBundles(opts.log);
  try {
    const { pkg } = built;
    const bundles = bundleFigures(
      { dir: relative(REPO_ROOT, pkg.dir), stage: pkg.state.stage, builtAt: pkg.builtAt },
      bundleSize(built.baseline),
      built.handlers.map(bundleSize),
      VEND_FUNCTION,
    );
    const budget: Budget = {
      id: 'bundle-bytes',
      description: 'vend handler bundle bytes / baseline',
      limit: `<= ${LIMITS.bundleRatio}x`,
      value: bundles.vendRatio,
      met: bundles.vendRatio <= LIMITS.bundleRatio,
      counted: true,
    };
    return { bundles, budget };
  } finally {
    rmSync(built.dir, { recursive: true, force: true });
  }
}

/** The packaged bundles, the local stack and the seeded demo tenant, for as long as `measure` runs. */
async function withStack<T>(
  opts: BenchOptions,
  sls: ServerlessConfig,
  measure: (ctx: { built: Built; stack: LocalStack; dynamo: CountedDynamo; fx: Fixture; parts: Parts }) => Promise<T>,
): Promise<T> {
  opts.log(`reading the bundles from the \`sls package\` output in ${relative(REPO_ROOT, SLS_PACKAGE_DIR)}/`);
  const built = await prepareBundles(opts.log);
  try {
    opts.log('starting the local stack (dynalite with counting, local STS, the local OIDC issuer)');
    const stack = await startLocalStack({ stage: STAGE });
    const dynamo = await startCountedDynamo(STAGE);
    const client = DynamoDBDocumentClient.from(localDynamoClient(dynamo.url), { marshallOptions: { removeUndefinedValues: true } });
    let issuer: LocalOidcIssuer | undefined;
    try {
      const fx = await fixture(sls, stack, dynamo, client);
      const token = await tokenRun(sls, fx, client);
      issuer = token.issuer;
      return await measure({ built, stack, dynamo, fx, parts: { key: true, token } });
    } finally {
      await issuer?.close();
      client.destroy();
      await dynamo.close();
      await stack.close();
    }
  } finally {
    rmSync(built.dir, { recursive: true, force: true });
  }
}

export async function runBench(opts: BenchOptions): Promise<Results> {
  const settings: Settings = { ...SETTINGS[opts.quick ? 'quick' : 'full'], ...opts.overrides };
  const loadAtStart = loadavg();
  // First, in-process: the hostile scope's first call must meet a matcher the JIT has not seen.
  opts.log('scope check: the hostile scope of issue 15, an ordinary one, a capped one');
  const scope = measureScope();
  opts.log('web console assets: built in memory and gzipped');
  const consoleAssets = await measureConsole();
  const sls = serverlessConfig(STAGE);
  const auditFn = auditFunction(settings);
  const cacheTtlSeconds = Number(sls.environment.CACHE_TTL_SECONDS ?? 15);
  return withStack(opts, sls, async ({ built, stack, dynamo, fx, parts }) => {
    opts.log(
      `cold init: ${settings.coldRuns} fresh processes per handler; token issuance: ${settings.tokenColdRuns} fresh processes with a first request`,
    );
    const cold = await measureCold(settings, built, fx, built.dir, parts);
    opts.log(
      `warm: ${settings.issuances} issuances per handler (baseline, key, token) after ${settings.warmup} warm-up, in segments of ${settings.segment}`,
    );
    const warm = await measureWarm(settings, built, fx, built.dir, stack, dynamo, cacheTtlSeconds * 1000, parts);
    const audit = await measureAudits(settings, auditFn, { roleArn: stack.demoRoleArn, externalId: stack.demoExternalId }, opts.log);

    const { pkg } = built;
    const results: Omit<Results, 'budgets'> = {
      mode: opts.quick ? 'quick' : 'full',
      machine: machine(loadAtStart),
      settings: {
        ...settings,
        cacheTtlSeconds,
        stage: STAGE,
        // The options serverless-esbuild packaged with: serverless.yml's, as `sls package` resolved them.
        package: { stage: pkg.state.stage, runtime: pkg.state.provider.runtime, esbuild: pkg.state.custom.esbuild ?? {} },
        auditSchedule: auditFn?.schedule,
      },
      bundles: bundleFigures(
        { dir: relative(REPO_ROOT, pkg.dir), stage: pkg.state.stage, builtAt: pkg.builtAt },
        bundleSize(built.baseline),
        built.handlers.map(bundleSize),
        VEND_FUNCTION,
      ),
      cold: cold.key!,
      warm: warm.key!,
      token: { partnerId: TOKEN_PARTNER, cold: cold.token!, warm: warm.token! },
      audit,
      scope,
      console: consoleAssets,
    };
    return { ...results, budgets: evaluateBudgets(results) };
  });
}

/**
 * Only the token rows (`npm run bench -- --only token`): the packaged vend handler authenticated by
 * the local OIDC issuer's token, warm and cold, and the baseline beside it, in one run. The key rows,
 * the other handlers, the audit and the scope check are not measured.
 */
export async function runTokenBench(
  opts: BenchOptions,
): Promise<{ settings: Settings; machine: Machine; token: TokenSection; budgets: Budget[] }> {
  const settings: Settings = { ...SETTINGS[opts.quick ? 'quick' : 'full'], ...opts.overrides };
  const loadAtStart = loadavg();
  const sls = serverlessConfig(STAGE);
  const cacheTtlSeconds = Number(sls.environment.CACHE_TTL_SECONDS ?? 15);
  return withStack(opts, sls, async ({ built, stack, dynamo, fx, parts }) => {
    const only: Parts = { key: false, token: parts.token };
    opts.log(`token issuance, cold: ${settings.tokenColdRuns} fresh processes each for the baseline and the vend handler`);
    const cold = await measureCold(settings, built, fx, built.dir, only);
    opts.log(
      `token issuance, warm: ${settings.issuances} issuances (and the baseline's) after ${settings.warmup} warm-up, in segments of ${settings.segment}`,
    );
    const warm = await measureWarm(settings, built, fx, built.dir, stack, dynamo, cacheTtlSeconds * 1000, only);
    const token: TokenSection = { partnerId: TOKEN_PARTNER, cold: cold.token!, warm: warm.token! };
    return { settings, machine: machine(loadAtStart), token, budgets: tokenBudgets(token, cacheTtlSeconds) };
  });
}
