/**
 * Every call the node scaler makes to Auto Scaling, DynamoDB, EKS and a Kubernetes API goes through
 * a guard: it times out after `callTimeoutMs`, never runs past the invocation's deadline, and is not
 * even started once the deadline has passed. The SDK clients carry their own socket timeouts too
 * (production-wiring.ts); the guard is what bounds a call whose client has none (client-node) and
 * the SDK's retries added together. A timed-out call's error names the dependency, the call, the
 * resource and what to check, so one slow group or cluster is reported and the others go on.
 */
import type { Clock } from '../pod-scaler/tick-types';

export const DEFAULT_NODE_SCALER_CALL_TIMEOUT_MS = 10_000;

export class CallTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CallTimeoutError';
  }
}

export interface CallGuard {
  /** Runs `call`, failing with a CallTimeoutError when it outlasts its timeout or the deadline. */
  run<T>(what: CallDescription, call: () => Promise<T>): Promise<T>;
}

export interface CallDescription {
  /** `Auto Scaling`, `DynamoDB`, `Kubernetes API of cluster prod`... */
  dependency: string;
  operation: string;
  /** The group, table item, node or cluster the call is about. */
  resource: string;
  /** What to check when it does not answer. */
  fix: string;
}

export function callGuard(clock: Clock, deadline: number, callTimeoutMs: number): CallGuard {
  return {
    async run(what, call) {
      const remaining = deadline - clock.now();
      const label = `${what.dependency} ${what.operation} for ${what.resource}`;
      if (remaining <= 0) throw new CallTimeoutError(`${label} not started: the invocation's deadline has passed; the next invocation retries it`);
      const limit = Math.min(callTimeoutMs, remaining);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new CallTimeoutError(`${label} did not answer within ${limit} ms${limit < callTimeoutMs ? " (the invocation's deadline)" : ''}; ${what.fix}`)),
          limit,
        );
      });
      try {
        return await Promise.race([call(), timedOut]);
      } catch (error) {
        throw withContext(error, what, label);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * A failed call's error, naming the dependency, call and resource when the adapter's message does
 * not already, and what to do when it names no fix of its own (IAM grant, RBAC rule).
 */
function withContext(error: unknown, what: CallDescription, label: string): unknown {
  if (error instanceof CallTimeoutError || !(error instanceof Error)) return error;
  const named = error.message.startsWith(what.dependency) && error.message.includes(what.resource) ? error.message : `${label} failed: ${error.message}`;
  const fixed = /grant |add to |ClusterRole|retried next invocation|check /.test(named) ? named : `${named}; ${what.fix}`;
  return new Error(fixed, { cause: error });
}

/**
 * The same object with each method's call guarded. `describe` names the dependency and resource
 * for a method and its arguments.
 */
export function guarded<T extends object>(target: T, guard: CallGuard, describe: (method: string, args: unknown[]) => CallDescription): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver) as unknown;
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => guard.run(describe(property, args), () => (value as (...a: unknown[]) => Promise<unknown>).apply(object, args));
    },
  });
}
