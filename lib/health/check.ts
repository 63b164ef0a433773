// Reachability of each dependency, checked concurrently with a bounded wait.
export type Probe = () => Promise<unknown>;

export interface DependencyStatus {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

export interface HealthReport {
  status: 'ok' | 'unavailable';
  dependencies: Record<string, DependencyStatus>;
}

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

export async function checkHealth(probes: Record<string, Probe>, timeoutMs = 2000): Promise<HealthReport> {
  const results = await Promise.all(Object.entries(probes).map(async ([name, probe]) => [name, await run(probe, timeoutMs)] as const));
  const dependencies = Object.fromEntries(results);
  return { status: results.every(([, r]) => r.ok) ? 'ok' : 'unavailable', dependencies };
}
