/**
 * A cpu/memory trigger's HPA proposal: its parsed target and the pods it read, through the HPA's
 * resource calculation (resource-replicas.ts), against the count the HPA reconciles from.
 */
import type { ParsedTrigger } from '../../triggers/trigger-definition';
import { resourceParamsOf } from '../../triggers/cpu-memory';
import type { ResourceSample } from '../evaluate-types';
import type { ResourceProposal } from './resource-replicas';
import { resourceReplicas } from './resource-replicas';
import type { Tolerances } from './tolerance';

export function resourceProposal(trigger: ParsedTrigger, sample: ResourceSample, currentReplicas: number, tolerances: Tolerances, now: number): ResourceProposal {
  const params = resourceParamsOf(trigger);
  return resourceReplicas({
    resource: params.resource,
    ...(params.containerName === undefined ? {} : { containerName: params.containerName }),
    target: params.target,
    currentReplicas,
    pods: sample.pods,
    usage: sample.usage,
    tolerances,
    now,
  });
}

/**
 * The measured value in the trigger's unit, for explanations: percent of requests (Utilization),
 * or cores / bytes per pod (AverageValue); undefined when the calculation failed.
 */
export function resourceValueOf(trigger: ParsedTrigger, proposal: ResourceProposal): number | undefined {
  if (!proposal.ok || proposal.current === undefined) return undefined;
  return resourceParamsOf(trigger).target.type === 'Utilization' ? proposal.current : proposal.current / 1000;
}
