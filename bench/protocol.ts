// Messages between the bench (parent) and a warm worker (one child process per handler).
import type { EventSpec } from './events';

export interface WorkerSpec {
  /** Absolute path of the built bundle. */
  bundle: string;
  exportName: string;
  functionName: string;
  event: EventSpec;
  expectStatus: number;
  /** Requests to this host:port are STS calls (the local STS; it also answers SSM). */
  stsHost: string;
}

export type ParentMessage = { type: 'run'; count: number; label: string } | { type: 'exit' };

/** Per issuance, in run order. Times are ms on the worker's monotonic clock. */
export interface SegmentResult {
  label: string;
  latencyMs: number[];
  startMs: number[];
  endMs: number[];
  /** Requests the issuance sent, counted at the client (Node's http diagnostics channel). */
  reads: number[];
  writes: number[];
  sts: number[];
  other: number[];
  elapsedMs: number;
  failures: { index: number; status: number; body: string }[];
}

export type WorkerMessage = { type: 'ready' } | { type: 'segment'; result: SegmentResult } | { type: 'error'; message: string };
