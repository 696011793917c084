/**
 * Collects the issues of one manifest document, stamping each with the object's id, the file and
 * the line of the field, so parsing code only says what is wrong and how to fix it.
 */
import type { SpecIssue } from './issues';

export interface IssueSource {
  file?: string;
  lineOf?: (path: string) => number | undefined;
}

export class IssueCollector {
  readonly errors: SpecIssue[] = [];
  readonly warnings: SpecIssue[] = [];

  constructor(
    public objectId: string,
    private readonly source: IssueSource,
    /** CI mode: every warning is recorded as an error. */
    private readonly strict = false,
  ) {}

  error(field: string, message: string, fix?: string): void {
    this.errors.push(this.make('error', field, message, fix));
  }

  warn(field: string, message: string, fix?: string): void {
    if (this.strict) this.errors.push(this.make('error', field, message, fix));
    else this.warnings.push(this.make('warning', field, message, fix));
  }

  /** Adopts issues made elsewhere (a trigger's parse), adding file and line. */
  adopt(issues: readonly SpecIssue[]): void {
    for (const issue of issues) {
      const severity = this.strict ? 'error' : issue.severity;
      const stamped = this.stamp({ ...issue, severity, objectId: this.objectId });
      (severity === 'error' ? this.errors : this.warnings).push(stamped);
    }
  }

  private make(severity: SpecIssue['severity'], field: string, message: string, fix?: string): SpecIssue {
    return this.stamp({ severity, objectId: this.objectId, field, message, ...(fix ? { fix } : {}) });
  }

  private stamp(issue: SpecIssue): SpecIssue {
    const line = this.source.lineOf?.(issue.field);
    return {
      ...issue,
      ...(this.source.file !== undefined ? { file: this.source.file } : {}),
      ...(line !== undefined ? { line } : {}),
    };
  }
}
