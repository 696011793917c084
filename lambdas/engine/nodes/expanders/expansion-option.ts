/**
 * What an expander chooses between: one group's way to make room for the pending pods (Cluster
 * Autoscaler's `expander.Option`). Expanders are filters, as in CA's chain: each keeps the options
 * it likes best, and the chain stops as soon as one is left.
 */
import type { NodeTemplate, Resources } from '../node-model';

export interface ExpansionOption {
  /** The ASG name: what priority patterns match (CA's NodeGroup.Id() on AWS). */
  group: string;
  /** New nodes the group needs for `pods`. */
  nodeCount: number;
  /** The pods those nodes would hold, with their requests. */
  pods: ReadonlyArray<{ id: string; requests: Resources }>;
  /** The shape of one new node. */
  template: NodeTemplate;
}

/** Returns a number in [0, 1), like Math.random; injected so tests choose the outcome. */
export type RandomSource = () => number;

/** Keeps the best options; never returns an empty list for a non-empty input. */
export type ExpanderFilter = (options: readonly ExpansionOption[]) => ExpansionOption[];

export const EXPANDER_NAMES = ['least-waste', 'priority', 'most-pods', 'random'] as const;
export type ExpanderName = (typeof EXPANDER_NAMES)[number];
