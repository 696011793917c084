/**
 * Kubernetes names, validated as the API server validates them (k8s.io/apimachinery
 * pkg/util/validation: IsDNS1123Label, IsDNS1123Subdomain; pkg/api/validation/path:
 * IsValidPathSegmentName), so a name the cluster would never accept is refused with a clear error
 * instead of being sent in a request path (where "." or ".." would address something else).
 */

/** Namespaces and container names (`IsDNS1123Label`). */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_LABEL_MAX = 63;
/** Object names of Deployments, StatefulSets and custom resources (`IsDNS1123Subdomain`). */
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_SUBDOMAIN_MAX = 253;

export type NameRule = 'dns-1123-label' | 'dns-1123-subdomain';

/** Why `value` is not a valid name under `rule`, or undefined when it is. */
export function kubernetesNameProblem(value: string, rule: NameRule): string | undefined {
  const [pattern, max, what] =
    rule === 'dns-1123-label'
      ? [DNS1123_LABEL, DNS1123_LABEL_MAX, 'a DNS-1123 label']
      : [DNS1123_SUBDOMAIN, DNS1123_SUBDOMAIN_MAX, 'a DNS-1123 subdomain'];
  if (value.length > max) return `"${value.slice(0, 40)}…" is ${value.length} characters; ${what} has at most ${max}`;
  if (!pattern.test(value)) {
    return rule === 'dns-1123-label'
      ? `"${value}" is not ${what}: lower-case letters, digits and "-", starting and ending with a letter or digit`
      : `"${value}" is not ${what}: lower-case letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit`;
  }
  return undefined;
}
