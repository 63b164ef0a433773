// A warm worker: loads one built handler bundle, then runs sequential issuances when told to,
// timing each and counting the HTTP requests each one sends. Built into the bench's build
// directory with esbuild (as ESM, so import() of an ESM or CommonJS bundle stays a real import)
// and run with plain `node`, so nothing but the worker and the bundle is in the process.
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { pathToFileURL } from 'node:url';
import { apiEvent, lambdaContext } from './events';
import { kindOf, operationOf } from './operations';
import type { ParentMessage, SegmentResult, WorkerMessage, WorkerSpec } from './protocol';

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode?: number; body?: string } | undefined>;

const spec = JSON.parse(process.argv[2] ?? '{}') as WorkerSpec;
const send = (message: WorkerMessage) => process.send!(message);

const current = { reads: 0, writes: 0, sts: 0, other: 0 };

subscribe('http.client.request.start', (message) => {
  const request = (message as { request: ClientRequest }).request;
  const target = request.getHeader('x-amz-target');
  if (typeof target === 'string' && target.startsWith('DynamoDB_')) {
    const kind = kindOf(operationOf(target));
    if (kind === 'read') current.reads++;
    else if (kind === 'write') current.writes++;
    else current.other++;
  } else if (target === undefined && String(request.getHeader('host')) === spec.stsHost) {
    current.sts++;
  } else {
    current.other++;
  }
});

const clock = () => Number(process.hrtime.bigint()) / 1e6;
let sequence = 0;

function accepted(status: number | undefined, body: string | undefined): boolean {
  if (status !== spec.expectStatus || !body) return false;
  const parsed = JSON.parse(body) as { credentials?: { accessKeyId?: string } };
  return typeof parsed.credentials?.accessKeyId === 'string' && parsed.credentials.accessKeyId.startsWith('ASIA');
}

async function run(handler: Handler, count: number, label: string): Promise<SegmentResult> {
  const result: SegmentResult = {
    label,
    latencyMs: [],
    startMs: [],
    endMs: [],
    reads: [],
    writes: [],
    sts: [],
    other: [],
    elapsedMs: 0,
    failures: [],
  };
  const began = clock();
  for (let i = 0; i < count; i++) {
    const requestId = `bench-${process.pid}-${sequence++}`;
    const event = apiEvent(spec.event, requestId);
    const context = lambdaContext(requestId, spec.functionName);
    current.reads = current.writes = current.sts = current.other = 0;
    const start = clock();
    const response = await handler(event, context);
    const end = clock();
    result.latencyMs.push(end - start);
    result.startMs.push(start);
    result.endMs.push(end);
    result.reads.push(current.reads);
    result.writes.push(current.writes);
    result.sts.push(current.sts);
    result.other.push(current.other);
    if (!accepted(response?.statusCode, response?.body)) {
      result.failures.push({ index: i, status: response?.statusCode ?? 0, body: String(response?.body ?? '').slice(0, 300) });
      if (result.failures.length >= 5) break;
    }
  }
  result.elapsedMs = clock() - began;
  return result;
}

async function main(): Promise<void> {
  const handler = ((await import(pathToFileURL(spec.bundle).href)) as Record<string, unknown>)[spec.exportName];
  if (typeof handler !== 'function') throw new Error(`${spec.bundle} has no function export ${spec.exportName}`);
  send({ type: 'ready' });
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'exit') process.exit(0);
    run(handler as Handler, message.count, message.label).then(
      (result) => send({ type: 'segment', result }),
      (err: unknown) => {
        send({ type: 'error', message: (err as Error).stack ?? String(err) });
        process.exitCode = 1;
      },
    );
  });
}

main().catch((err: unknown) => {
  send({ type: 'error', message: (err as Error).stack ?? String(err) });
  process.exit(1);
});
