/** CA's `most-pods` expander (expander/mostpods/mostpods.go): the options whose new nodes would hold the most pending pods. */
import type { ExpansionOption } from './expansion-option';

export function mostPods(options: readonly ExpansionOption[]): ExpansionOption[] {
  const most = Math.max(0, ...options.map((option) => option.pods.length));
  return options.filter((option) => option.pods.length === most);
}
