/**
 * Label and field selectors as the Kubernetes API server parses them, for the test server.
 * Labels: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, comma-joined (AND).
 * Fields: `path=value`, `path==value`, `path!=value` on dotted paths such as `spec.nodeName`.
 */
type Labels = Record<string, string> | undefined;

/** Splits on commas that are not inside a `( … )` value set. */
function splitTerms(selector: string): string[] {
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

export function matchesLabelSelector(labels: Labels, selector: string | null | undefined): boolean {
  if (!selector) return true;
  const have = labels ?? {};
  return splitTerms(selector).every((term) => {
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
    throw new Error(`unable to parse requirement: ${term}`);
  });
}

/** `matchLabels` + `matchExpressions` (a LabelSelector object, as in PDBs and workloads). */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export function matchesSelectorObject(labels: Labels, selector: LabelSelectorObject | undefined): boolean {
  // An empty selector matches everything (PDB semantics in policy/v1).
  return matchesLabelSelector(labels, selectorObjectToString(selector));
}

/** Formats a LabelSelector the way the API server does in `status.selector` of a scale subresource. */
export function selectorObjectToString(selector: LabelSelectorObject | undefined): string {
  if (!selector) return '';
  const terms = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const expression of selector.matchExpressions ?? []) {
    const values = (expression.values ?? []).join(',');
    switch (expression.operator) {
      case 'In':
        terms.push(`${expression.key} in (${values})`);
        break;
      case 'NotIn':
        terms.push(`${expression.key} notin (${values})`);
        break;
      case 'Exists':
        terms.push(expression.key);
        break;
      case 'DoesNotExist':
        terms.push(`!${expression.key}`);
        break;
      default:
        throw new Error(`unknown selector operator ${expression.operator}`);
    }
  }
  return terms.sort().join(',');
}

function fieldValue(object: unknown, path: string): string {
  let value: unknown = object;
  for (const part of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
  return value === undefined || value === null ? '' : String(value);
}

export function matchesFieldSelector(object: unknown, selector: string | null | undefined): boolean {
  if (!selector) return true;
  return splitTerms(selector).every((term) => {
    const match = /^([^!=]+)(!=|==|=)(.*)$/.exec(term);
    if (!match) throw new Error(`invalid field selector: ${term}`);
    const actual = fieldValue(object, match[1]!.trim());
    return match[2] === '!=' ? actual !== match[3] : actual === match[3];
  });
}
