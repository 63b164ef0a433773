// What belongs to one Lambda invocation: its deadline for AWS calls (lib/aws/deadline.ts) and the
// keys on its log lines (lib/core/log.ts). Lambda runs one invocation at a time per environment unless
// it sets AWS_LAMBDA_MAX_CONCURRENCY; then several share one module instance, and each must keep
// its own state across its awaits.

export interface InvocationState {
  /** Keys on every log line of this invocation (e.g. its request id). */
  logKeys: Record<string, unknown>;
  /** When AWS calls must have finished: performance.now() time, and a signal aborted then. */
  deadline?: { at: number; signal: AbortSignal };
}

/** Where the current invocation's state is kept. */
export interface InvocationSlot {
  get(): InvocationState | undefined;
  run<T>(state: InvocationState, fn: () => Promise<T>): Promise<T>;
}

/**
 * One invocation at a time (Lambda's default): a variable. AsyncLocalStorage would put promise
 * hooks on every await of every request (measured: warm median +7% in `npm run bench`).
 */
function variableSlot(): InvocationSlot {
  let current: InvocationState | undefined;
  return {
    get: () => current,
    async run(state, fn) {
      const outer = current;
      current = state;
      try {
        return await fn();
      } finally {
        current = outer;
      }
    },
  };
}

/** Several invocations at once: one state per async context. */
function asyncContextSlot(): InvocationSlot {
  const { AsyncLocalStorage } = process.getBuiltinModule('node:async_hooks');
  const storage = new AsyncLocalStorage<InvocationState>();
  return { get: () => storage.getStore(), run: (state, fn) => storage.run(state, fn) };
}

/** As the Lambda runtime's own InvokeStore chooses between a variable and AsyncLocalStorage. */
export function invocationSlotFor(env: NodeJS.ProcessEnv): InvocationSlot {
  return 'AWS_LAMBDA_MAX_CONCURRENCY' in env ? asyncContextSlot() : variableSlot();
}

export const invocation = invocationSlotFor(process.env);

/** Runs `fn` as one invocation whose log lines carry `logKeys`. */
export function runInvocation<T>(logKeys: Record<string, unknown>, fn: () => Promise<T>): Promise<T> {
  return invocation.run({ logKeys: { ...logKeys } }, fn);
}
