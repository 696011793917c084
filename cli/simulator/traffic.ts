/**
 * The traffic a simulation replays: one value per simulated minute, either arrivals (messages put
 * on the queue that minute, or for a rate-like metric such as an ALB request count, that minute's
 * Sum) or the queue depth itself (a recorded metric replayed as is). Built-in
 * scenarios are generated here; traces are read by `trace.ts`.
 */
export type TrafficKind = 'arrivals' | 'depth';

export const SCENARIO_NAMES = ['step', 'spike', 'daily-wave', 'idle'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface Traffic {
  /** `step`, or the trace file's name. */
  name: string;
  kind: TrafficKind;
  /** Value for minute i of the simulation; beyond the end: 0 arrivals, or the last depth. */
  perMinute: number[];
  /** How long to simulate when `--duration` is not given. */
  defaultDurationMs: number;
  /** One line for the summary and the report. */
  description: string;
  /**
   * When minute 0 happened, for a trace with timestamps: the simulation starts then, so cron
   * triggers see the recorded day and hour. Undefined for scenarios and minute-numbered traces.
   */
  startsAtMs?: number;
}

const MINUTE_MS = 60_000;

/** Arrivals per minute (or depth) at simulated minute `minute`. */
export function trafficAt(traffic: Traffic, minute: number): number {
  if (minute < 0) return 0;
  if (minute < traffic.perMinute.length) return traffic.perMinute[minute] ?? 0;
  return traffic.kind === 'depth' ? (traffic.perMinute.at(-1) ?? 0) : 0;
}

export const DEFAULT_SCENARIO_DURATION_MS: Record<ScenarioName, number> = {
  step: 90 * MINUTE_MS,
  spike: 60 * MINUTE_MS,
  'daily-wave': 2 * 60 * MINUTE_MS,
  idle: 30 * MINUTE_MS,
};

/**
 * Generates a built-in scenario over `durationMs`, peaking at `peakPerMinute` arrivals a minute.
 * Shapes scale with the duration, so `--duration 24h` on daily-wave is a real day.
 */
export function builtInScenario(name: ScenarioName, peakPerMinute: number, durationMs?: number): Traffic {
  const total = durationMs ?? DEFAULT_SCENARIO_DURATION_MS[name];
  const minutes = Math.max(1, Math.ceil(total / MINUTE_MS));
  const perMinute = new Array<number>(minutes).fill(0);
  let description: string;
  switch (name) {
    case 'step': {
      // Idle, a long plateau, then idle again for long enough to see the stabilization window and
      // the cooldown bring replicas back to min.
      const start = Math.round(minutes * 0.1);
      const end = start + Math.max(1, Math.round(minutes / 3));
      for (let m = start; m < Math.min(end, minutes); m++) perMinute[m] = peakPerMinute;
      description = `step: idle, then ${peakPerMinute}/min from minute ${start} to ${end}, then idle`;
      break;
    }
    case 'spike': {
      // A steady trickle with one short burst ten times higher.
      const base = peakPerMinute / 10;
      const start = Math.round(minutes * 0.2);
      const end = start + Math.max(1, Math.round(minutes / 12));
      for (let m = 0; m < minutes; m++) perMinute[m] = m >= start && m < end ? peakPerMinute : base;
      description = `spike: ${base} msgs/min with a burst of ${peakPerMinute}/min from minute ${start} to ${end}`;
      break;
    }
    case 'daily-wave': {
      // One day's sinusoid (night trough, midday peak), compressed into the duration.
      for (let m = 0; m < minutes; m++) {
        perMinute[m] = Math.round(peakPerMinute * (0.5 - 0.5 * Math.cos((2 * Math.PI * m) / minutes)));
      }
      description = `daily-wave: 0 to ${peakPerMinute}/min and back over ${minutes} minutes`;
      break;
    }
    case 'idle':
      description = 'idle: no messages at all';
      break;
  }
  return { name, kind: 'arrivals', perMinute, defaultDurationMs: total, description };
}
