import { describe, expect, it } from 'vitest';
import { cli } from './cli-harness';

describe('rbac', () => {
  it('prints the service proxy Role and RoleBinding for the example\'s in-cluster Prometheus', async () => {
    const outcome = await cli(['rbac', 'examples/prometheus-ingress.yaml']);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('kind: Role\n');
    expect(outcome.stdout).toContain('namespace: prometheus');
    expect(outcome.stdout).toContain('- http:prom-op-kube-prometheus-st-prometheus:9090');
  });

  it('prints nothing, and says why, when no trigger needs it', async () => {
    const outcome = await cli(['rbac', 'examples/sqs-worker.yaml']);
    expect(outcome).toMatchObject({ code: 0, stdout: '' });
    expect(outcome.stderr).toContain('no trigger needs RBAC beyond deploy/rbac.yaml');
  });

  it('--help prints its usage', async () => {
    const outcome = await cli(['rbac', '--help']);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('Usage: eks-lambda-scaler rbac');
  });
});
