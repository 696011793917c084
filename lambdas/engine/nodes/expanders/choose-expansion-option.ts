/**
 * The expander chain, as CA's `--expander=a,b,...` (expander/factory/chain.go): each expander in
 * turn narrows the options, stopping as soon as one is left. CA breaks a tie that survives the
 * chain at random; the node scaler takes the first of the tied groups in configuration order, so
 * the order still states a preference and a plan can be reproduced. Name `random` in the chain for
 * CA's random choice.
 */
import type { ExpanderName, ExpansionOption, RandomSource } from './expansion-option';
import { leastWaste } from './least-waste';
import { mostPods } from './most-pods';
import type { CompiledPriority } from './priority';
import { priorityExpander } from './priority';
import { randomExpander } from './random';

export interface ExpanderChain {
  expanders: readonly ExpanderName[];
  priorities?: readonly CompiledPriority[];
  /** Used by the `random` expander only. */
  random: RandomSource;
}

export interface ExpanderChoice {
  chosen: ExpansionOption;
  /** Why, for the scale-up's reason: which expander decided among which groups. */
  explanation: string;
}

function filterFor(name: ExpanderName, chain: ExpanderChain) {
  switch (name) {
    case 'least-waste':
      return leastWaste;
    case 'most-pods':
      return mostPods;
    case 'random':
      return randomExpander(chain.random);
    case 'priority':
      // Validation requires priorities with this expander; without them it keeps every option.
      return chain.priorities ? priorityExpander(chain.priorities) : (options: readonly ExpansionOption[]) => [...options];
  }
}

/** The chosen option; options are in configuration order. Undefined only for no options. */
export function chooseExpansionOption(options: readonly ExpansionOption[], chain: ExpanderChain): ExpanderChoice | undefined {
  if (options.length === 0) return undefined;
  if (options.length === 1) return { chosen: options[0]!, explanation: `only ${options[0]!.group} can take these pods` };
  let remaining = [...options];
  let decidedBy = 'configuration order';
  for (const name of chain.expanders) {
    const kept = filterFor(name, chain)(remaining);
    if (kept.length > 0 && kept.length < remaining.length) decidedBy = name;
    remaining = kept.length > 0 ? kept : remaining;
    if (remaining.length === 1) break;
  }
  const chosen = remaining[0]!;
  const others = options.filter((option) => option !== chosen).map((option) => option.group);
  const tie = remaining.length > 1 ? ` (tied with ${remaining.slice(1).map((option) => option.group).join(', ')}; first in configuration order)` : '';
  return { chosen, explanation: `${decidedBy} chose ${chosen.group} over ${others.join(', ')}${tie}` };
}
