/**
 * How the HPA combines several metrics (`computeReplicasForMetrics`): the max over the valid ones,
 * and no scale-down on partial data.
 */
import type { MetricProposal } from './replica-calculator';

export type CombinedProposal =
  | { ok: true; replicas: number; allWithinTolerance: boolean; partialError?: string }
  | { ok: false; error: string };

export function combineProposals(proposals: readonly MetricProposal[], currentReplicas: number): CombinedProposal {
  let replicas = 0;
  let valid = 0;
  let allWithinTolerance = true;
  let firstError: string | undefined;
  for (const proposal of proposals) {
    if (!proposal.ok) {
      firstError ??= proposal.error;
      continue;
    }
    if (valid === 0 || proposal.replicas > replicas) replicas = proposal.replicas;
    valid += 1;
    if (!proposal.withinTolerance) allWithinTolerance = false;
  }
  if (valid === 0) return { ok: false, error: firstError ?? 'no metrics to scale on' };
  if (firstError !== undefined && replicas < currentReplicas) {
    // Scaling down on partial data could remove capacity a failing metric still needs.
    return { ok: false, error: `${firstError} (not scaling down while some metrics are unavailable)` };
  }
  return firstError === undefined
    ? { ok: true, replicas, allWithinTolerance }
    : { ok: true, replicas, allWithinTolerance, partialError: firstError };
}
