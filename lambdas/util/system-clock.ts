/** The real clock, for Lambda. Tests and the simulator pass their own (see tick-types.ts `Clock`). */
import type { Clock } from '../pod-scaler/tick-types';

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};
