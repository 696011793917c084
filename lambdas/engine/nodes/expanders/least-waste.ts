/**
 * CA's `least-waste` expander (expander/waste/waste.go): the option whose new nodes would leave the
 * smallest share of CPU and memory unrequested, scored as wasted CPU share + wasted memory share.
 * Equal scores are all kept (CA compares the floats exactly).
 *
 * CA divides by the node's capacity; the node scaler knows a group's allocatable only, so it divides
 * by that (docs/node-scaler.md, "Expanders").
 */
import type { ExpansionOption } from './expansion-option';

/** The blended waste of an option, or undefined when its node shape has no CPU or memory to waste. */
export function wasteScore(option: ExpansionOption): number | undefined {
  const cpu = option.template.allocatable.cpuMilli * option.nodeCount;
  const memory = option.template.allocatable.memoryBytes * option.nodeCount;
  if (!(cpu > 0) || !(memory > 0)) return undefined;
  const requestedCpu = option.pods.reduce((sum, pod) => sum + pod.requests.cpuMilli, 0);
  const requestedMemory = option.pods.reduce((sum, pod) => sum + pod.requests.memoryBytes, 0);
  return (cpu - requestedCpu) / cpu + (memory - requestedMemory) / memory;
}

export function leastWaste(options: readonly ExpansionOption[]): ExpansionOption[] {
  let best: ExpansionOption[] = [];
  let bestScore = Number.POSITIVE_INFINITY;
  for (const option of options) {
    const score = wasteScore(option);
    // CA skips a group it has no node info for; a shape without CPU or memory is the same case.
    if (score === undefined) continue;
    if (score < bestScore) {
      bestScore = score;
      best = [option];
    } else if (score === bestScore) {
      best.push(option);
    }
  }
  return best.length > 0 ? best : [...options];
}
