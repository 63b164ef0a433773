// DynamoDB requests counted where they arrive: a dynalite whose HTTP server reports every request
// (operation from X-Amz-Target, items written from the request body, items read from the answer).
// The production bundles build their own SDK clients, so the count cannot be taken inside them.

import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { localDynamoClient } from '../local/dynamo';
import { createTables } from '../local/tables';
import { kindOf, operationOf } from './operations';

/** Items a write request writes: one, or the number of entries of a batch or transaction. */
export function itemsWritten(operation: string, body: string): number {
  if (operation === 'PutItem' || operation === 'UpdateItem' || operation === 'DeleteItem') return 1;
  try {
    const parsed = JSON.parse(body) as { TransactItems?: unknown[]; RequestItems?: Record<string, unknown[]> };
    if (operation === 'TransactWriteItems') return parsed.TransactItems?.length ?? 0;
    if (operation === 'BatchWriteItem') return Object.values(parsed.RequestItems ?? {}).reduce((n, list) => n + list.length, 0);
  } catch {
    // A body DynamoDB cannot parse writes nothing.
  }
  return 0;
}

/** Items a read request read, from DynamoDB's answer: ScannedCount for a Query or Scan (what is paid for, before any filter). */
export function itemsRead(operation: string, body: string): number {
  let parsed: { Item?: unknown; Responses?: unknown; ScannedCount?: number; Count?: number };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return 0;
  }
  if (operation === 'GetItem') return parsed.Item ? 1 : 0;
  if (operation === 'Query' || operation === 'Scan') return parsed.ScannedCount ?? parsed.Count ?? 0;
  if (operation === 'BatchGetItem') {
    return Object.values((parsed.Responses ?? {}) as Record<string, unknown[]>).reduce((n, list) => n + list.length, 0);
  }
  if (operation === 'TransactGetItems') return ((parsed.Responses ?? []) as { Item?: unknown }[]).filter((r) => r.Item).length;
  return 0;
}

export interface WireCounts {
  reads: number;
  itemsRead: number;
  writes: number;
  itemsWritten: number;
  other: number;
  byOperation: Record<string, number>;
}

export function emptyCounts(): WireCounts {
  return { reads: 0, itemsRead: 0, writes: 0, itemsWritten: 0, other: 0, byOperation: {} };
}

/** What happened between two snapshots. */
export function diffCounts(after: WireCounts, before: WireCounts): WireCounts {
  const byOperation: Record<string, number> = {};
  for (const [op, n] of Object.entries(after.byOperation)) {
    const d = n - (before.byOperation[op] ?? 0);
    if (d !== 0) byOperation[op] = d;
  }
  return {
    reads: after.reads - before.reads,
    itemsRead: after.itemsRead - before.itemsRead,
    writes: after.writes - before.writes,
    itemsWritten: after.itemsWritten - before.itemsWritten,
    other: after.other - before.other,
    byOperation,
  };
}

/** `into` + `more`, in place. */
export function addCounts(into: WireCounts, more: WireCounts): void {
  into.reads += more.reads;
  into.itemsRead += more.itemsRead;
  into.writes += more.writes;
  into.itemsWritten += more.itemsWritten;
  into.other += more.other;
  for (const [op, n] of Object.entries(more.byOperation)) into.byOperation[op] = (into.byOperation[op] ?? 0) + n;
}

/** Hands the response body to `onBody` when dynalite ends the response. */
function countResponse(res: ServerResponse, onBody: (body: string) => void): void {
  const chunks: Buffer[] = [];
  const collect = (chunk: unknown) => {
    if (typeof chunk === 'string') chunks.push(Buffer.from(chunk));
    else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
  };
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    collect(chunk);
    return write(chunk, ...rest);
  }) as ServerResponse['write'];
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (typeof chunk !== 'function') collect(chunk);
    onBody(Buffer.concat(chunks).toString('utf8'));
    return end(chunk, ...rest);
  }) as ServerResponse['end'];
}

export interface CountedDynamo {
  url: string;
  counts(): WireCounts;
  close(): Promise<void>;
}

export async function startCountedDynamo(stage: string): Promise<CountedDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }) as Server;
  const counts = emptyCounts();
  server.prependListener('request', (req, res) => {
    const operation = operationOf(req.headers['x-amz-target'] as string | undefined);
    const kind = kindOf(operation);
    counts.byOperation[operation] = (counts.byOperation[operation] ?? 0) + 1;
    if (kind === 'read') {
      counts.reads++;
      countResponse(res, (body) => (counts.itemsRead += itemsRead(operation, body)));
    } else if (kind === 'other') counts.other++;
    else {
      counts.writes++;
      // dynalite reads the body too; a second 'data' listener sees the same chunks.
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        counts.itemsWritten += itemsWritten(operation, Buffer.concat(chunks).toString('utf8'));
      });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = localDynamoClient(url);
  try {
    await createTables(client, stage);
  } finally {
    client.destroy();
  }
  return {
    url,
    counts: () => structuredClone(counts),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
