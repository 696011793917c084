/**
 * Names that go into a Kubernetes API path. The client encodes each segment, but "." and ".."
 * survive encoding and are resolved by URL normalization: `deployments/./scale` would address the
 * Deployment named `scale`, and a namespace of ".." leaves the namespace entirely. The API server
 * rejects such names (apimachinery's path-segment validation); the adapters refuse them before
 * any request, whatever produced them.
 */

/** Why `value` cannot be a path segment, or undefined when it can (apimachinery `IsValidPathSegmentName`). */
export function pathSegmentProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  if (value === '.' || value === '..') return `may not be "${value}"`;
  if (value.includes('/')) return 'may not contain "/"';
  if (value.includes('%')) return 'may not contain "%"';
  return undefined;
}

/** Throws a clear error naming the field when `value` cannot be a path segment. */
export function assertPathSegment(value: string, field: string): void {
  const problem = pathSegmentProblem(value);
  if (problem) throw new Error(`refusing to call the Kubernetes API: ${field} "${value}" ${problem}; fix it in the ScaledObject`);
}
