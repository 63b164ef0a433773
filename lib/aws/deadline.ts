// One deadline per invocation for every AWS call it makes. An issuance makes several sequential
// calls, each with its own SDK retries and per-attempt timeouts, which together can outlast the
// Lambda timeout; then the caller would get the platform's timeout instead of our JSON 503.
//
// The HTTP wiring (and the audit handler) set the deadline once from the Lambda context, in the
// invocation's state (lib/core/invocation.ts: one per async context where Lambda runs several
// invocations at once); the SDK clients' HTTP handler below enforces it on every attempt: each
// attempt gets an abort signal that fires at the deadline and a request timeout of at most the
// time left, and an attempt that starts after the deadline fails at once. That failure is an AbortError, which the SDK never retries, so
// the adapters turn it into their 503 (dynamodb_unavailable, audit_write_failed, sts_unavailable…).
import { NodeHttpHandler, type NodeHttpHandlerOptions } from '@smithy/node-http-handler';
import { invocation } from '../core/invocation';

/** Kept back from the Lambda's remaining time: for the error response after the last AWS call gives up. */
export const DEADLINE_MARGIN_MS = 1000;

/** The abort reason: the SDK's AbortError carries it as `cause`. Says nothing about the request. */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
  constructor() {
    super('The invocation deadline for AWS calls has passed');
  }
}

/** Milliseconds left before the current deadline, or undefined outside one. */
export function remainingMs(): number | undefined {
  const deadline = invocation.get()?.deadline;
  return deadline ? Math.max(0, deadline.at - performance.now()) : undefined;
}

/** Runs `fn` with AWS calls bounded to `budgetMs` from now (a nested deadline can only be earlier). */
export async function withDeadline<T>(budgetMs: number, fn: () => Promise<T>): Promise<T> {
  const outer = invocation.get();
  const at = performance.now() + Math.max(0, budgetMs);
  if (outer?.deadline && outer.deadline.at <= at) return fn();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeadlineExceededError()), Math.max(0, at - performance.now()));
  try {
    // The same invocation (its log keys) with the earlier deadline.
    return await invocation.run({ logKeys: outer?.logKeys ?? {}, deadline: { at, signal: controller.signal } }, fn);
  } finally {
    clearTimeout(timer);
  }
}

/** The part of the Lambda context the deadline needs; absent outside Lambda (tests, scripts). */
export interface InvocationContext {
  getRemainingTimeInMillis?: () => number;
}

/** Runs one invocation with its AWS calls ending DEADLINE_MARGIN_MS before the Lambda timeout. */
export function withInvocationDeadline<T>(context: InvocationContext | undefined, fn: () => Promise<T>): Promise<T> {
  if (typeof context?.getRemainingTimeInMillis !== 'function') return fn();
  return withDeadline(context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS, fn);
}

type HandleArgs = Parameters<NodeHttpHandler['handle']>;

/** The SDK's Node HTTP handler, with every attempt bounded by the current deadline (if any). */
export class DeadlineHttpHandler extends NodeHttpHandler {
  private readonly requestTimeout: number | undefined;

  constructor(options: NodeHttpHandlerOptions = {}) {
    super(options);
    this.requestTimeout = options.requestTimeout;
  }

  override handle(request: HandleArgs[0], options: HandleArgs[1] = {}): ReturnType<NodeHttpHandler['handle']> {
    const deadline = invocation.get()?.deadline;
    if (!deadline) return super.handle(request, options);
    const left = Math.floor(deadline.at - performance.now());
    // The timer may not have fired yet when the time is already up: abort this attempt now.
    const signal = left > 0 ? deadline.signal : AbortSignal.abort(new DeadlineExceededError());
    const callerSignal = options.abortSignal as AbortSignal | undefined;
    const configured = options.requestTimeout ?? this.requestTimeout;
    return super.handle(request, {
      ...options,
      abortSignal: callerSignal ? AbortSignal.any([callerSignal, signal]) : signal,
      requestTimeout: Math.max(1, configured ? Math.min(configured, left) : left),
    });
  }
}
