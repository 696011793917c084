/**
 * Label and field selectors as the Kubernetes API server parses them, for the test server.
 * Labels: the scaler's own matcher (`a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`,
 * comma-joined), plus `a>n` / `a<n` (Gt, Lt on integer values), which the API server reads and the
 * scaler's matcher leaves to it.
 * Fields: `path=value`, `path==value`, `path!=value` on dotted paths such as `spec.nodeName`.
 */
import { matchesLabelSelector as matchesScalerForms, splitTerms } from '../../lambdas/adapters/kubernetes/label-selector-match';

type Labels = Record<string, string> | undefined;

export function matchesLabelSelector(labels: Labels, selector: string | null | undefined): boolean {
  if (!selector) return true;
  return splitTerms(selector).every((term) => {
    const comparison = /^([^\s<>]+)\s*([<>])\s*(-?\d+)$/.exec(term);
    if (!comparison) return matchesScalerForms(labels, term);
    const value = labels?.[comparison[1]!];
    if (value === undefined || !/^-?\d+$/.test(value)) return false;
    return comparison[2] === '>' ? Number(value) > Number(comparison[3]) : Number(value) < Number(comparison[3]);
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
