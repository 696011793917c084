import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it("derives it from a ScaledJob's triggers too (issue 17)", async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rbac-sj-')), 'job.yaml');
    writeFileSync(
      file,
      `apiVersion: keda.sh/v1alpha1
kind: ScaledJob
metadata: { name: render, namespace: media }
spec:
  jobTargetRef: { template: { spec: { containers: [{ name: worker, image: public.ecr.aws/docker/library/busybox:1.36 }] } } }
  triggers:
    - type: prometheus
      metadata: { serverAddress: "http://prometheus.monitoring.svc:9090", query: "sum(render_backlog)", threshold: "1" }
`,
    );
    const outcome = await cli(['rbac', file]);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('namespace: monitoring');
    expect(outcome.stdout).toContain('- http:prometheus:9090');
  });

  it('--help prints its usage', async () => {
    const outcome = await cli(['rbac', '--help']);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('Usage: eks-lambda-scaler rbac');
  });
});
