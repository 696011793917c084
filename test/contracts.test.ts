import { describe, expect, it } from 'vitest';
import { formatIssue } from '../lambdas/engine/spec/issues';

describe('formatIssue', () => {
  it('names the file, object, field, problem and fix on one line', () => {
    expect(
      formatIssue({
        severity: 'error',
        objectId: 'jobs/orders',
        field: 'spec.triggers[0].metadata.queueLength',
        message: '"1.5" is not an integer',
        fix: 'use a whole number such as "5"',
        file: 'so.yaml',
        line: 12,
      }),
    ).toBe('so.yaml:12: error: jobs/orders: spec.triggers[0].metadata.queueLength: "1.5" is not an integer (use a whole number such as "5")');
  });
});
