/**
 * A workload's `spec.selector` as the string the API server puts in its Scale's `status.selector`.
 * The Deployment and StatefulSet scale subresources build it with metav1.LabelSelectorAsSelector
 * and labels.Selector.String() (k8s.io/apimachinery pkg/apis/meta/v1/helpers.go and
 * pkg/labels/selector.go): one requirement per matchLabels entry (`key=value`) and per
 * matchExpressions entry (`key in (a,b)`, `key notin (a,b)`, `key`, `!key`), sorted by key,
 * values sorted, joined by commas. Reading the scale from a LIST of the workloads must give the
 * same string the scale GET gives, so ready-pod counts select the same pods.
 */
export interface LabelSelectorLike {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

function requirementString(key: string, operator: string, values: string[]): string {
  const sorted = [...values].sort().join(',');
  switch (operator) {
    case 'In':
      return `${key} in (${sorted})`;
    case 'NotIn':
      return `${key} notin (${sorted})`;
    case 'Exists':
      return key;
    case 'DoesNotExist':
      return `!${key}`;
    default:
      // The API server rejects any other operator when the workload is written.
      throw new Error(`label selector operator "${operator}" on key "${key}" is not one the API server accepts`);
  }
}

/** `undefined` when the selector selects nothing or everything (an empty status.selector upstream). */
export function labelSelectorString(selector: LabelSelectorLike | undefined): string | undefined {
  if (!selector) return undefined;
  const requirements = [
    ...Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({ key, text: `${key}=${value}` })),
    ...(selector.matchExpressions ?? []).map(({ key, operator, values }) => ({ key, text: requirementString(key, operator, values ?? []) })),
  ];
  // Stable, so a key named in both matchLabels and matchExpressions (rare) keeps matchLabels first.
  requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const text = requirements.map((requirement) => requirement.text).join(',');
  return text === '' ? undefined : text;
}
