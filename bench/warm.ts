// Warm: each handler in its own worker process (no shared heap, no cross-talk), warmed up, then
// driven through sequential issuances in segments, interleaved A B B A… (A B C C B A… for three)
// between the handlers so a drift during the run (dynalite's tables grow with every record) weighs
// on all alike. Calls are
// counted twice: per issuance at the client (worker) and per segment at the servers (dynalite's
// HTTP server, the local STS's call log); the two must agree.
import { type ChildProcess, fork } from 'node:child_process';
import type { LocalSts } from '../local/sts/server';
import { analyzeCalls, type CallAnalysis, type IssuanceCalls } from './calls';
import type { ParentMessage, SegmentResult, WorkerMessage, WorkerSpec } from './protocol';
import { median, mirroredOrder } from './stats';
import { addCounts, type CountedDynamo, diffCounts, emptyCounts, type WireCounts } from './wire';

/** Local STS actions that are SSM operations (it answers GetParameter for the federation keys). */
const SSM_ACTIONS = new Set(['GetParameter', 'GetParameters']);

export interface WarmTarget {
  name: string;
  spec: WorkerSpec;
  /** The worker's environment, when it is not WarmOptions.env (the token row's allows the local OIDC issuer). */
  env?: NodeJS.ProcessEnv;
}

export interface WarmOptions {
  workerFile: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  warmup: number;
  issuances: number;
  segment: number;
  /** The vend handler's cache TTL (CACHE_TTL_SECONDS), to tell reloads from reads on cached issuances. */
  cacheTtlMs: number;
  dynamo: CountedDynamo;
  sts: LocalSts;
  /** The local OIDC issuer, when a worker authenticates with its tokens: its discovery and JWKS requests are counted. */
  issuer?: { requests(): { discovery: number; jwks: number } };
}

export interface ServerCounts {
  dynamo: WireCounts;
  stsByAction: Record<string, number>;
  stsCalls: number;
  /** Discovery and JWKS requests the OIDC issuer served during the measured segments. */
  issuerRequests: number;
}

export interface WarmResult {
  name: string;
  latencyMs: number[];
  /** Sum of the measured segments' wall time. */
  elapsedMs: number;
  /** Median latency of each measured segment, in run order: shows drift and noise. */
  segmentMedianMs: number[];
  server: ServerCounts;
  calls: CallAnalysis;
  /** Client and server counts of the measured loop agree (reads, write requests, STS calls). */
  countsAgree: boolean;
  /** Discovery and JWKS requests the OIDC issuer served during this worker's warm-up. */
  warmupIssuerRequests: number;
}

class Worker {
  private pending?: { resolve: (r: SegmentResult) => void; reject: (e: Error) => void };
  private stderr = '';
  readonly ready: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4000)));
    this.ready = new Promise((resolve, reject) => {
      child.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'segment') this.pending?.resolve(message.result);
        else this.fail(new Error(`${name} worker: ${message.message}`), reject);
      });
      child.on('exit', (code) => this.fail(new Error(`${name} worker exited (${code}): ${this.stderr}`), reject));
    });
  }

  static start(target: WarmTarget, opts: WarmOptions): Worker {
    const child = fork(opts.workerFile, [JSON.stringify(target.spec)], {
      env: target.env ?? opts.env,
      cwd: opts.cwd,
      execArgv: [],
      // Log lines go where Lambda's would: out of the process; the bench does not need them.
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    return new Worker(target.name, child);
  }

  private fail(err: Error, rejectReady: (e: Error) => void): void {
    rejectReady(err);
    this.pending?.reject(err);
    this.pending = undefined;
  }

  run(count: number, label: string): Promise<SegmentResult> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.child.send({ type: 'run', count, label } satisfies ParentMessage);
    });
  }

  stop(): void {
    this.child.removeAllListeners('exit');
    if (this.child.connected) this.child.send({ type: 'exit' } satisfies ParentMessage);
  }
}

function toIssuances(segment: SegmentResult, measured: boolean): IssuanceCalls[] {
  return segment.latencyMs.map((_, i) => ({
    startMs: segment.startMs[i]!,
    endMs: segment.endMs[i]!,
    reads: segment.reads[i]!,
    writes: segment.writes[i]!,
    sts: segment.sts[i]!,
    other: segment.other[i]!,
    measured,
  }));
}

function checked(segment: SegmentResult, name: string): SegmentResult {
  if (segment.failures.length > 0) {
    const f = segment.failures[0]!;
    throw new Error(`${name}: issuance ${f.index} of ${segment.label} answered ${f.status}: ${f.body}`);
  }
  return segment;
}

function addServerCounts(total: ServerCounts, dynamo: WireCounts, stsByAction: Record<string, number>): void {
  addCounts(total.dynamo, dynamo);
  for (const [action, n] of Object.entries(stsByAction)) {
    total.stsByAction[action] = (total.stsByAction[action] ?? 0) + n;
    if (!SSM_ACTIONS.has(action)) total.stsCalls += n;
  }
}

const issuerRequests = (opts: WarmOptions) => {
  const r = opts.issuer?.requests();
  return r ? r.discovery + r.jwks : 0;
};

export async function runWarm(targets: readonly WarmTarget[], opts: WarmOptions): Promise<WarmResult[]> {
  if (targets.length < 2) throw new Error('runWarm needs the baseline and at least one handler');
  const workers = targets.map((t) => Worker.start(t, opts));
  try {
    for (const worker of workers) await worker.ready;
    const issuances = new Map<string, IssuanceCalls[]>(targets.map((t) => [t.name, []]));
    const latency = new Map<string, number[]>(targets.map((t) => [t.name, []]));
    const elapsed = new Map<string, number>(targets.map((t) => [t.name, 0]));
    const segmentMedians = new Map<string, number[]>(targets.map((t) => [t.name, []]));
    const server = new Map<string, ServerCounts>(
      targets.map((t) => [t.name, { dynamo: emptyCounts(), stsByAction: {}, stsCalls: 0, issuerRequests: 0 }]),
    );
    const warmupIssuer = new Map<string, number>();

    for (const worker of workers) {
      const before = issuerRequests(opts);
      issuances.get(worker.name)!.push(...toIssuances(checked(await worker.run(opts.warmup, 'warm-up'), worker.name), false));
      warmupIssuer.set(worker.name, issuerRequests(opts) - before);
    }
    const rounds = Math.ceil(opts.issuances / opts.segment);
    const order = mirroredOrder(workers, rounds);
    const done = new Map<string, number>(targets.map((t) => [t.name, 0]));
    for (const worker of order) {
      const count = Math.min(opts.segment, opts.issuances - done.get(worker.name)!);
      if (count <= 0) continue;
      const before = opts.dynamo.counts();
      const issuerBefore = issuerRequests(opts);
      opts.sts.resetCalls();
      const segment = checked(await worker.run(count, `segment ${done.get(worker.name)! / opts.segment + 1}`), worker.name);
      // dynalite counts a write's items when its body has been read; the response came after that.
      const dynamo = diffCounts(opts.dynamo.counts(), before);
      const stsByAction: Record<string, number> = {};
      for (const call of opts.sts.calls) stsByAction[call.action] = (stsByAction[call.action] ?? 0) + 1;
      addServerCounts(server.get(worker.name)!, dynamo, stsByAction);
      server.get(worker.name)!.issuerRequests += issuerRequests(opts) - issuerBefore;
      issuances.get(worker.name)!.push(...toIssuances(segment, true));
      latency.get(worker.name)!.push(...segment.latencyMs);
      segmentMedians.get(worker.name)!.push(median(segment.latencyMs));
      elapsed.set(worker.name, elapsed.get(worker.name)! + segment.elapsedMs);
      done.set(worker.name, done.get(worker.name)! + count);
    }

    return targets.map((t) => {
      const calls = analyzeCalls(issuances.get(t.name)!, opts.cacheTtlMs);
      const counted = server.get(t.name)!;
      const countsAgree =
        calls.totals.reads === counted.dynamo.reads &&
        calls.totals.writes === counted.dynamo.writes &&
        calls.totals.sts === counted.stsCalls;
      return {
        name: t.name,
        latencyMs: latency.get(t.name)!,
        elapsedMs: elapsed.get(t.name)!,
        segmentMedianMs: segmentMedians.get(t.name)!,
        server: counted,
        calls,
        countsAgree,
        warmupIssuerRequests: warmupIssuer.get(t.name)!,
      };
    });
  } finally {
    for (const worker of workers) worker.stop();
  }
}
