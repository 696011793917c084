/**
 * CA's `priority` expander (expander/priority/priority.go): a configured list of priorities, each
 * with regular expressions matched against the group name (the ASG name). An option takes the
 * highest priority whose patterns match its group, and only the options at the highest priority
 * found are kept. A group no pattern matches is not used; when none matches at all, every option
 * stays in the running (CA then falls back to random; here the chain's fallback decides).
 *
 * CA reads the list from the `cluster-autoscaler-priority-expander` ConfigMap; here it is the
 * `expanderPriorities` setting, validated at synth time.
 */
import type { ExpansionOption } from './expansion-option';

/** Priority (a whole number, higher wins) → group-name patterns, like the ConfigMap's `priorities` YAML. */
export type ExpanderPriorities = Readonly<Record<number, readonly string[]>>;

export interface CompiledPriority {
  priority: number;
  patterns: RegExp[];
}

/** The priorities as regular expressions; a bad entry is an error naming it and the fix. */
export function compilePriorities(priorities: ExpanderPriorities, where = 'expanderPriorities'): CompiledPriority[] {
  if (typeof priorities !== 'object' || priorities === null || Array.isArray(priorities)) {
    throw new Error(`${where}: must map priorities to lists of group-name patterns, e.g. { 10: ['.*-spot-.*'], 50: ['.*-on-demand-.*'] }`);
  }
  const compiled: CompiledPriority[] = [];
  for (const [key, patterns] of Object.entries(priorities)) {
    const priority = Number(key);
    if (!/^\d+$/.test(key) || !Number.isSafeInteger(priority)) {
      throw new Error(`${where}: priority "${key}" is not a whole number of 0 or more; use keys such as 10 and 50 (higher wins)`);
    }
    if (!Array.isArray(patterns) || patterns.length === 0 || patterns.some((pattern) => typeof pattern !== 'string' || pattern === '')) {
      throw new Error(`${where}[${key}]: give a non-empty list of group-name patterns (regular expressions), e.g. ['.*-spot-.*']`);
    }
    compiled.push({
      priority,
      patterns: patterns.map((pattern: string) => {
        try {
          return new RegExp(pattern);
        } catch (error) {
          throw new Error(`${where}[${key}]: "${pattern}" is not a valid regular expression (${(error as Error).message}); patterns use JavaScript syntax and match anywhere in the ASG name`, {
            cause: error,
          });
        }
      }),
    });
  }
  if (compiled.length === 0) throw new Error(`${where}: is empty; give at least one priority, e.g. { 10: ['.*'] }`);
  return compiled;
}

/** The highest priority whose patterns match the group, or undefined when none does. */
export function groupPriority(group: string, priorities: readonly CompiledPriority[]): number | undefined {
  let best: number | undefined;
  for (const { priority, patterns } of priorities) {
    if ((best === undefined || priority > best) && patterns.some((pattern) => pattern.test(group))) best = priority;
  }
  return best;
}

export function priorityExpander(priorities: readonly CompiledPriority[]) {
  return (options: readonly ExpansionOption[]): ExpansionOption[] => {
    let best: ExpansionOption[] = [];
    let bestPriority = -1;
    for (const option of options) {
      const priority = groupPriority(option.group, priorities);
      if (priority === undefined || priority < bestPriority) continue;
      if (priority > bestPriority) {
        bestPriority = priority;
        best = [];
      }
      best.push(option);
    }
    return best.length > 0 ? best : [...options];
  };
}
