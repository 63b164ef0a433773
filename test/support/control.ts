// A control endpoint in the global-setup process, so test files (in jest workers) can inspect
// and steer the local STS and inject DynamoDB faults in the running stack.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalSts, LocalStsRole, LocalStsSession } from '../../local/sts/server';
import type { FaultProxy, FaultRule } from './fault-proxy';

export async function startControlServer(sts: LocalSts, dynamo: FaultProxy) {
  const routes: Record<string, (body: any, query: URLSearchParams) => unknown> = {
    'GET /sts/calls': () => sts.calls,
    'GET /sts/session': (_, query) => sts.sessionOf(query.get('accessKeyId') ?? '') ?? null,
    'POST /sts/role': (body: LocalStsRole) => sts.putRole(body),
    'POST /sts/delete-role': (body: { arn: string }) => ({ deleted: sts.deleteRole(body.arn) }),
    'POST /sts/reset-calls': () => sts.resetCalls(),
    'POST /sts/fault': (body) => sts.injectFault(body),
    'POST /sts/clear-faults': () => sts.clearFaults(),
    'POST /sts/advance-clock': (body: { ms: number }) => sts.advanceClock(body.ms),
    'GET /dynamo/counts': () => dynamo.counts,
    'POST /dynamo/reset-counts': () => dynamo.resetCounts(),
    'POST /dynamo/fault': (body: FaultRule) => dynamo.addFault(body),
    'POST /dynamo/clear-faults': () => dynamo.clearFaults(),
    'GET /dynamo/faults-served': () => dynamo.faultsServed(),
  };
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://control');
      const route = routes[`${req.method} ${url.pathname}`];
      if (!route)
        return res
          .writeHead(404, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: `no route ${req.method} ${url.pathname}` }));
      let result: unknown;
      try {
        result = route(raw ? JSON.parse(raw) : undefined, url.searchParams);
      } catch (err) {
        // A refused request (e.g. an invalid role) answers 400 instead of throwing in the setup process.
        return res
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result ?? null));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Worker-side client of the control endpoint. */
export const control = {
  async send<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${process.env.CREDVEND_TEST_CONTROL}${path}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await res.json()) as T;
    if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status} ${(answer as { error?: string } | null)?.error ?? ''}`);
    return answer;
  },
  stsCalls: () => control.send<{ action: string; status: number; code?: string }[]>('GET', '/sts/calls'),
  resetStsCalls: () => control.send('POST', '/sts/reset-calls'),
  stsFault: (fault: { action?: string; status: number; code: string; message?: string; times?: number; delayMs?: number }) =>
    control.send('POST', '/sts/fault', fault),
  clearStsFaults: () => control.send('POST', '/sts/clear-faults'),
  advanceStsClock: (ms: number) => control.send('POST', '/sts/advance-clock', { ms }),
  /** Adds or replaces a role of the running local STS; rejects with the emulator's message if it is invalid. */
  putStsRole: (role: LocalStsRole) => control.send<null>('POST', '/sts/role', role),
  deleteStsRole: (arn: string) => control.send<{ deleted: boolean }>('POST', '/sts/delete-role', { arn }),
  /** What the local STS recorded about the credentials with this access key id (null if it issued none). */
  stsSession: (accessKeyId: string) =>
    control.send<LocalStsSession | null>('GET', `/sts/session?accessKeyId=${encodeURIComponent(accessKeyId)}`),
  dynamoCounts: () => control.send<Record<string, number>>('GET', '/dynamo/counts'),
  resetDynamoCounts: () => control.send('POST', '/dynamo/reset-counts'),
  dynamoFault: (rule: FaultRule) => control.send('POST', '/dynamo/fault', rule),
  clearDynamoFaults: () => control.send('POST', '/dynamo/clear-faults'),
  dynamoFaultsServed: () => control.send<number>('GET', '/dynamo/faults-served'),
};
