// Shared by the reliability tests: the ledger as stored, and the figures file of the last run.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from '@jest/globals';
import type { ApiResponse } from '../../support/api';
import { logEntries } from '../../support/logs';

/** Every issuance record of a tenant (all shards, all pages). */
export { ledgerOf } from '../../support/ledger';

const FIGURES_FILE = 'test-results/reliability.json';

/** Merges this test file's figures into test-results/reliability.json (one section per file). */
export function writeFigures(section: string, figures: Record<string, unknown>): void {
  mkdirSync('test-results', { recursive: true });
  const all = existsSync(FIGURES_FILE) ? (JSON.parse(readFileSync(FIGURES_FILE, 'utf8')) as Record<string, unknown>) : {};
  all[section] = { ...figures, at: new Date().toISOString() };
  writeFileSync(FIGURES_FILE, `${JSON.stringify(all, null, 2)}\n`);
}

/** The contract's error body: a stable snake_case code, a message, the request id, details. */
export function expectErrorBody(res: ApiResponse, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(res.body.error).toEqual({ code, message: expect.any(String), requestId: expect.any(String), details: expect.any(Array) });
}

export function isErrorBody(body: any): boolean {
  const e = body?.error;
  return (
    !!e &&
    typeof e.code === 'string' &&
    /^[a-z_]+$/.test(e.code) &&
    typeof e.message === 'string' &&
    typeof e.requestId === 'string' &&
    Array.isArray(e.details)
  );
}

/** The JSON lines a function logged with this message. */
export function logLines(logs: string, message: string): Record<string, any>[] {
  return logEntries(logs).filter((entry) => entry.message === message);
}

/**
 * Each issuance's "credentials issued" line carries the request id of the invocation that wrote its
 * record: the logger's per-invocation keys did not leak between concurrent invocations.
 */
export async function expectOwnRequestIdOnEachIssuanceLine(readLogs: () => string, records: Record<string, any>[]): Promise<void> {
  // Log lines reach the file or pipe a little after the responses: wait (bounded) until all are there.
  const ids = new Set(records.map((r) => r.issuanceId as string));
  for (let waited = 0; waited < 10_000; waited += 100) {
    if (logLines(readLogs(), 'credentials issued').filter((line) => ids.has(line.issuanceId)).length >= ids.size) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const logs = readLogs();
  // Distinct request ids, or matching them would prove nothing.
  expect(new Set(records.map((r) => r.requestId)).size).toBe(records.length);
  const lines = logLines(logs, 'credentials issued');
  const wanted = new Map(records.map((r) => [r.issuanceId as string, r.requestId as string]));
  const mine = lines.filter((line) => wanted.has(line.issuanceId));
  expect(mine).toHaveLength(records.length);
  expect(mine.filter((line) => line.requestId !== wanted.get(line.issuanceId)).map((line) => [line.issuanceId, line.requestId])).toEqual(
    [],
  );
}
