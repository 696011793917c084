/**
 * A label selector string (a scale subresource's `status.selector`) matched against labels, as the
 * API server selects (k8s.io/apimachinery `pkg/labels/selector.go`): comma-joined requirements, all
 * of which must hold: `a=b`, `a==b`, `a!=b` (true when `a` is absent), `a in (x,y)`,
 * `a notin (x)` (true when `a` is absent), `a`, `!a`. An empty selector selects everything. A
 * requirement of another form throws, so a caller can let the API server select instead.
 */
type Labels = Record<string, string> | undefined;

/** A requirement this matcher does not read (e.g. `a>1`): let the API server select. */
export class SelectorNotUnderstood extends Error {
  constructor(requirement: string) {
    super(`unable to parse requirement: ${requirement}`);
    this.name = 'SelectorNotUnderstood';
  }
}

/** Splits on commas that are not inside a `( … )` value set. */
export function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of selector) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t) => t.length > 0);
}

/** True when `labels` satisfy every requirement of `selector`. */
export function matchesLabelSelector(labels: Labels, selector: string | null | undefined): boolean {
  if (!selector) return true;
  const have = labels ?? {};
  return splitTerms(selector).every((term) => {
    // A key never holds `<` or `>`: `a>1` / `a<1` (Gt, Lt) are not read here, never taken for a key.
    if (/[<>]/.test(term)) throw new SelectorNotUnderstood(term);
    const set = /^([^\s!=]+)\s+(in|notin)\s+\((.*)\)$/.exec(term);
    if (set) {
      const values = set[3]!.split(',').map((v) => v.trim());
      const value = have[set[1]!];
      return set[2] === 'in' ? value !== undefined && values.includes(value) : value === undefined || !values.includes(value);
    }
    const inequality = /^([^\s!=]+)\s*!=\s*(.*)$/.exec(term);
    if (inequality) return have[inequality[1]!] !== inequality[2]!.trim();
    const equality = /^([^\s!=]+)\s*==?\s*(.*)$/.exec(term);
    if (equality) return have[equality[1]!] === equality[2]!.trim();
    if (term.startsWith('!')) return have[term.slice(1).trim()] === undefined;
    if (/^[^\s!=()]+$/.test(term)) return have[term] !== undefined;
    throw new SelectorNotUnderstood(term);
  });
}


/** True when every requirement of `selector` is one this matcher reads. */
export function isSelectorUnderstood(selector: string): boolean {
  try {
    // Each requirement on its own: a match over the whole selector stops at the first that fails.
    for (const term of splitTerms(selector)) matchesLabelSelector({}, term);
    return true;
  } catch (error) {
    if (error instanceof SelectorNotUnderstood) return false;
    throw error;
  }
}
