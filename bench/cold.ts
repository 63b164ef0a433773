// Cold init: fresh `node` processes that load a built bundle and touch the handler export, as the
// Lambda runtime does on a cold start. Each probe reports the load time it measured around
// `import()` (hrtime, inside the child); the parent also times the whole process, from spawn to
// exit, and an "empty" probe that loads nothing gives the process cost to subtract.
import { spawn } from 'node:child_process';
import { apiEvent, type EventSpec } from './events';

export interface ColdTarget {
  name: string;
  /** Absent for the empty probe. */
  bundle?: string;
  exportName?: string;
  /**
   * When set, the probe also invokes the handler once and times that first request: in `runs` probes
   * (default: coldSamples' firstRequestRuns).
   */
  firstRequest?: { event: EventSpec; expectStatus: number; functionName: string; runs?: number };
  /** false: no import-only probes (a bundle measured under another name already; only its first request is new). */
  importRuns?: boolean;
  /** The probe's environment, when it is not coldSamples' env. */
  env?: NodeJS.ProcessEnv;
}

export interface ColdSamples {
  /** Load + construct, measured inside the child around import(). */
  initMs: number[];
  /** Whole process, spawn to exit (import-only probes). */
  wallMs: number[];
  /** The first invocation after the load (probes with firstRequest). */
  firstMs: number[];
  /** Load and first invocation of the same probe, summed: a cold start's time to its first answer. */
  firstTotalMs: number[];
}

// Kept tiny and dependency-free: everything it does is in the measurement of the empty probe too.
// import() loads CommonJS and ESM bundles alike, as the Lambda Node.js runtime does.
const PROBE = `
(async () => {
const spec = JSON.parse(process.argv[1]);
const hr = () => Number(process.hrtime.bigint()) / 1e6;
const t0 = hr();
let handler;
if (spec.bundle) {
  handler = (await import(require('node:url').pathToFileURL(spec.bundle).href))[spec.exportName];
  if (typeof handler !== 'function') throw new Error('no function export ' + spec.exportName);
}
const initMs = hr() - t0;
const done = (extra) => { process.stdout.write('\\nBENCH_PROBE ' + JSON.stringify({ initMs, ...extra }) + '\\n', () => process.exit(0)); };
if (!spec.event) done({});
else {
  const context = { functionName: spec.functionName, awsRequestId: spec.event.requestContext.requestId,
    getRemainingTimeInMillis: () => 10000, callbackWaitsForEmptyEventLoop: true };
  const t1 = hr();
  Promise.resolve(handler(spec.event, context)).then(
    (res) => done({ firstMs: hr() - t1, status: res && res.statusCode }),
    (err) => { console.error(err); process.exit(3); });
}
})().catch((err) => { console.error(err); process.exit(4); });
`;

interface ProbeOutput {
  initMs: number;
  firstMs?: number;
  status?: number;
}

function probe(
  target: ColdTarget,
  withRequest: boolean,
  env: NodeJS.ProcessEnv,
  cwd: string,
  runId: string,
): Promise<{ out: ProbeOutput; wallMs: number }> {
  const spec = {
    bundle: target.bundle,
    exportName: target.exportName,
    functionName: target.firstRequest?.functionName,
    event: withRequest && target.firstRequest ? apiEvent(target.firstRequest.event, `bench-cold-${runId}`) : undefined,
  };
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['-e', PROBE, JSON.stringify(spec)], {
      env: target.env ?? env,
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const line = stdout.split('\n').find((l) => l.startsWith('BENCH_PROBE '));
      if (code !== 0 || !line) {
        reject(new Error(`cold probe ${target.name} exited ${code}: ${stderr.slice(-2000) || stdout.slice(-2000)}`));
        return;
      }
      const out = JSON.parse(line.slice('BENCH_PROBE '.length)) as ProbeOutput;
      if (withRequest && out.status !== target.firstRequest?.expectStatus) {
        reject(new Error(`cold probe ${target.name}: first request answered ${out.status}: ${stdout.slice(-1000)}`));
        return;
      }
      resolve({ out, wallMs });
    });
  });
}

/**
 * `runs` import-only probes per target (plus one unmeasured probe each first, so every measured
 * probe finds the files in the page cache), interleaved and rotated so no target always runs
 * first; then `firstRequestRuns` (or the target's own `firstRequest.runs`) probes per target that
 * has a first request, interleaved the same way.
 */
export async function coldSamples(
  targets: readonly ColdTarget[],
  opts: { runs: number; firstRequestRuns: number; env: NodeJS.ProcessEnv; cwd: string },
): Promise<Record<string, ColdSamples>> {
  const samples: Record<string, ColdSamples> = Object.fromEntries(
    targets.map((t) => [t.name, { initMs: [], wallMs: [], firstMs: [], firstTotalMs: [] }]),
  );
  let runId = 0;
  for (const target of targets) await probe(target, false, opts.env, opts.cwd, String(runId++));
  const importing = targets.filter((t) => t.importRuns !== false);
  for (let i = 0; i < opts.runs; i++) {
    for (let j = 0; j < importing.length; j++) {
      const target = importing[(i + j) % importing.length]!;
      const { out, wallMs } = await probe(target, false, opts.env, opts.cwd, String(runId++));
      samples[target.name]!.initMs.push(out.initMs);
      samples[target.name]!.wallMs.push(wallMs);
    }
  }
  const requestRuns = (t: ColdTarget) => (t.firstRequest ? (t.firstRequest.runs ?? opts.firstRequestRuns) : 0);
  const rounds = Math.max(0, ...targets.map(requestRuns));
  for (let i = 0; i < rounds; i++) {
    const withRequest = targets.filter((t) => requestRuns(t) > i);
    for (let j = 0; j < withRequest.length; j++) {
      const target = withRequest[(i + j) % withRequest.length]!;
      const { out } = await probe(target, true, opts.env, opts.cwd, String(runId++));
      samples[target.name]!.firstMs.push(out.firstMs ?? Number.NaN);
      samples[target.name]!.firstTotalMs.push(out.initMs + (out.firstMs ?? Number.NaN));
    }
  }
  return samples;
}
