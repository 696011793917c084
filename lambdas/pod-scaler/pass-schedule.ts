/**
 * When, inside one EventBridge invocation, each ScaledObject is evaluated. EventBridge fires at
 * most once a minute, so an object with `pollingInterval: 15` gets four passes per invocation
 * (offsets 0, 15, 30, 45 s). Objects polled less often than the window are evaluated once, and only
 * when their interval has elapsed since their last evaluation. Pure.
 */
export interface ScheduledObject {
  key: string;
  pollingIntervalSeconds: number;
  /** Epoch ms of the last evaluation, from state; undefined when never evaluated. */
  lastEvaluatedAt?: number;
}

export interface Pass {
  /** Offset from the start of the invocation, ms. */
  offsetMs: number;
  keys: string[];
}

/**
 * Slack for objects polled less often than the window: EventBridge jitters by a few seconds, and
 * an object due 2 s after this invocation would otherwise wait a whole extra minute.
 */
const DUE_SLACK_MS = 5_000;

export function planPasses(objects: readonly ScheduledObject[], now: number, windowMs: number): Pass[] {
  const byOffset = new Map<number, string[]>();
  const add = (offsetMs: number, key: string) => {
    const keys = byOffset.get(offsetMs) ?? [];
    keys.push(key);
    byOffset.set(offsetMs, keys);
  };
  for (const object of objects) {
    const intervalMs = Math.max(1, object.pollingIntervalSeconds) * 1000;
    if (windowMs <= 0 || intervalMs >= windowMs) {
      const due = object.lastEvaluatedAt === undefined || now - object.lastEvaluatedAt + DUE_SLACK_MS >= intervalMs;
      if (due || windowMs <= 0) add(0, object.key);
      continue;
    }
    for (let offset = 0; offset < windowMs; offset += intervalMs) add(offset, object.key);
  }
  return [...byOffset.entries()].sort(([a], [b]) => a - b).map(([offsetMs, keys]) => ({ offsetMs, keys }));
}
