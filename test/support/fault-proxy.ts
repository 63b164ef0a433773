// An HTTP proxy in front of a local AWS endpoint that can be told to fail chosen calls, so tests
// can break one DynamoDB operation (say, the issuance PutItem) inside a running serverless-offline.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultRule {
  /** X-Amz-Target to match, e.g. "DynamoDB_20120810.PutItem", or "*" for every call. */
  target: string;
  /** Only requests whose body mentions this table name. */
  tableName?: string;
  status: number;
  code: string;
  /** How many matching requests fail; default 1. */
  times?: number;
  /** Answer only after this long (to provoke client timeouts). */
  delayMs?: number;
  /** Never answer (status and code unused): the client's own timeout or deadline has to give up. */
  hang?: boolean;
}

export interface FaultProxy {
  url: string;
  /** Requests seen, by X-Amz-Target. */
  counts: Record<string, number>;
  /** Requests that got a fault (failed, delayed or hung) since the proxy started. */
  faultsServed(): number;
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  resetCounts(): void;
  close(): Promise<void>;
}

export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  let faults: (FaultRule & { left: number })[] = [];
  const counts: Record<string, number> = {};
  let served = 0;

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502).end();
    });
    upstream.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const amzTarget = String(req.headers['x-amz-target'] ?? '');
      counts[amzTarget] = (counts[amzTarget] ?? 0) + 1;
      const fault = faults.find(
        (f) => f.left > 0 && (f.target === '*' || f.target === amzTarget) && (!f.tableName || body.includes(`"${f.tableName}"`)),
      );
      if (!fault) return forward(req, body, res);
      fault.left -= 1;
      served += 1;
      // The client gives up and closes the connection; close() ends any still open.
      if (fault.hang) return;
      const answer = () =>
        res
          .writeHead(fault.status, { 'content-type': 'application/x-amz-json-1.0' })
          .end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${fault.code}`, message: 'injected fault' }));
      if (fault.delayMs) setTimeout(answer, fault.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    faultsServed: () => served,
    addFault: (rule) => faults.push({ ...rule, left: rule.times ?? 1 }),
    clearFaults: () => {
      faults = [];
    },
    resetCounts: () => {
      for (const k of Object.keys(counts)) delete counts[k];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
