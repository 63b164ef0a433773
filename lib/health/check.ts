// Health: a shallow liveness answer that touches nothing, and the dependency check (DynamoDB, STS),
// run concurrently with a bounded wait and cached per warm instance so callers cannot multiply AWS calls.
export type Probe = () => Promise<unknown>;

export interface DependencyStatus {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

export interface HealthReport {
  status: 'ok' | 'unavailable';
  dependencies: Record<string, DependencyStatus>;
  /** When the dependencies were checked: a cached report says how old it is. */
  checkedAt: string;
}

/** The function answered: no dependency is asked (GET /v1/health). */
export const LIVENESS = { status: 'ok' } as const;

/** The deep check's answer is reused this long per warm instance: at most one DynamoDB and one STS call per 10 s. */
export const DEEP_CHECK_CACHE_MS = 10_000;

async function run(probe: Probe, timeoutMs: number): Promise<DependencyStatus> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
      }),
    ]);
    return { ok: true, latencyMs: Date.now() - started };
  } catch (err) {
    // Only the error's name: SDK messages may carry endpoint details we do not expose.
    const name = err instanceof Error ? (err.message === 'timed out' ? 'Timeout' : err.name) : 'Error';
    return { ok: false, latencyMs: Date.now() - started, error: name };
  } finally {
    clearTimeout(timer);
  }
}

export async function checkHealth(probes: Record<string, Probe>, timeoutMs = 2000, now = Date.now): Promise<HealthReport> {
  const checkedAt = new Date(now()).toISOString();
  const results = await Promise.all(Object.entries(probes).map(async ([name, probe]) => [name, await run(probe, timeoutMs)] as const));
  const dependencies = Object.fromEntries(results);
  return { status: results.every(([, r]) => r.ok) ? 'ok' : 'unavailable', dependencies, checkedAt };
}

/**
 * checkHealth at most once per `cacheMs`: callers within that time (and concurrent ones) share one
 * run of the probes, whatever it found.
 */
export function cachedHealthCheck(
  probes: Record<string, Probe>,
  options: { cacheMs?: number; timeoutMs?: number; now?: () => number } = {},
): () => Promise<HealthReport> {
  const { cacheMs = DEEP_CHECK_CACHE_MS, timeoutMs, now = Date.now } = options;
  let last: { at: number; report: Promise<HealthReport> } | undefined;
  return () => {
    const at = now();
    if (!last || at - last.at >= cacheMs) last = { at, report: checkHealth(probes, timeoutMs, now) };
    return last.report;
  };
}
