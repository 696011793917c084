/**
 * A problem found in user input (a ScaledObject, a TriggerAuthentication, a trigger's metadata).
 * Every issue names the object, the field path and what would be valid, so a person can act on it
 * without reading our code.
 */
export type IssueSeverity = 'error' | 'warning';

export interface SpecIssue {
  severity: IssueSeverity;
  /** `<namespace>/<name>` of the object, or `<file>#<document index>` when the name is unknown. */
  objectId: string;
  /** Field path in the manifest, e.g. `spec.triggers[0].metadata.queueLength`. */
  field: string;
  /** What is wrong, e.g. `"1.5" is not an integer`. */
  message: string;
  /** What would be valid, e.g. `use a whole number such as "5"`. */
  fix?: string;
  /** Source file and 1-based line, when the object came from a file. */
  file?: string;
  line?: number;
}

/** One line a person reads: `ns/name: spec.field: message (fix)`. */
export function formatIssue(issue: SpecIssue): string {
  const where = issue.file ? `${issue.file}${issue.line ? `:${issue.line}` : ''}: ` : '';
  const fix = issue.fix ? ` (${issue.fix})` : '';
  return `${where}${issue.severity}: ${issue.objectId}: ${issue.field}: ${issue.message}${fix}`;
}
