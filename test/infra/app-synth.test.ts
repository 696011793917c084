/**
 * The example app synthesizes offline: no AWS credentials, no lookups, bundling with the local
 * esbuild. Run the way the CDK CLI runs it (the `app` command of cdk.json with CDK_OUTDIR), and
 * through `npx cdk synth` itself.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/scaler-stack';

const TIMEOUT_MS = 240_000;

/** The environment of a machine with no AWS credentials at all. */
function offlineEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', CDK_DISABLE_VERSION_CHECK: '1', ...extra };
  for (const key of Object.keys(env)) {
    if (/^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE|DEFAULT_PROFILE|CONTAINER_CREDENTIALS_.*|WEB_IDENTITY_TOKEN_FILE|ROLE_ARN)$/.test(key)) {
      delete env[key];
    }
  }
  env.AWS_SHARED_CREDENTIALS_FILE = '/dev/null';
  env.AWS_CONFIG_FILE = '/dev/null';
  return env;
}

function readTemplate(outdir: string): { Resources: Record<string, { Type: string }> } {
  return JSON.parse(readFileSync(join(outdir, 'EksLambdaScaler.template.json'), 'utf8'));
}

function expectFullDeployment(outdir: string): void {
  const types = Object.values(readTemplate(outdir).Resources).map((resource) => resource.Type);
  for (const type of ['AWS::DynamoDB::Table', 'AWS::Lambda::Function', 'AWS::Scheduler::Schedule', 'AWS::Events::Rule', 'AWS::EKS::AccessEntry', 'AWS::CloudWatch::Dashboard']) {
    expect(types).toContain(type);
  }
  expect(types.filter((type) => type === 'AWS::Lambda::Function')).toHaveLength(2);
}

describe('the example app (bin/app.ts)', () => {
  it(
    'synthesizes offline with cdk.json\'s defaults, bundling both Lambdas with their configuration',
    () => {
      const outdir = mkdtempSync(join(tmpdir(), 'eks-lambda-scaler-app-'));
      const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { app: string; context: Record<string, unknown> };
      const result = spawnSync('npx', ['tsx', 'bin/app.ts'], {
        cwd: REPO_ROOT,
        env: offlineEnv({ CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(cdkJson.context) }),
        encoding: 'utf8',
        timeout: TIMEOUT_MS,
      });
      expect(result.status, result.stderr).toBe(0);
      expectFullDeployment(outdir);
      const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { artifacts: Record<string, unknown> };
      expect(Object.keys(manifest.artifacts)).toContain('EksLambdaScaler');
    },
    TIMEOUT_MS,
  );

  it(
    'reads `-c eks-lambda-scaler:clusters` given as a JSON list of { name, region }',
    () => {
      const outdir = mkdtempSync(join(tmpdir(), 'eks-lambda-scaler-app-'));
      const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
      const context = {
        ...cdkJson.context,
        // What `-c key=value` hands the app: strings.
        'eks-lambda-scaler:clusters': '[{"name":"prod","region":"us-east-1"}]',
        'eks-lambda-scaler:nodeGroups': '[{"cluster":"prod","autoScalingGroupName":"prod-workers"}]',
      };
      const result = spawnSync('npx', ['tsx', 'bin/app.ts'], {
        cwd: REPO_ROOT,
        env: offlineEnv({ CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) }),
        encoding: 'utf8',
        timeout: TIMEOUT_MS,
      });
      expect(result.status, result.stderr).toBe(0);
      const entries = Object.values(readTemplate(outdir).Resources).filter((resource) => resource.Type === 'AWS::EKS::AccessEntry');
      expect(entries.map((entry) => (entry as unknown as { Properties: { ClusterName: string } }).Properties.ClusterName)).toEqual(['prod', 'prod']);
    },
    TIMEOUT_MS,
  );

  it(
    'passes `npx cdk synth` with no AWS credentials',
    () => {
      const outdir = mkdtempSync(join(tmpdir(), 'eks-lambda-scaler-cli-'));
      const result = spawnSync('npx', ['cdk', 'synth', '--no-notices', '--quiet', '--output', outdir], {
        cwd: REPO_ROOT,
        env: offlineEnv(),
        encoding: 'utf8',
        timeout: TIMEOUT_MS,
      });
      expect(result.status, result.stderr).toBe(0);
      expectFullDeployment(outdir);
    },
    TIMEOUT_MS,
  );

  /** The app as the CDK CLI runs it with `-c eks-lambda-scaler:scaledObjects=<value>` (bundling skipped). */
  function synthWithScaledObjects(value: string, extraContext: Record<string, string> = {}) {
    const outdir = mkdtempSync(join(tmpdir(), 'eks-lambda-scaler-app-'));
    const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
    const context = { ...cdkJson.context, 'eks-lambda-scaler:scaledObjects': value, 'eks-lambda-scaler:nodeGroups': '[]', 'eks-lambda-scaler:nag': 'false', 'aws:cdk:bundling-stacks': [], ...extraContext };
    const result = spawnSync('npx', ['tsx', 'bin/app.ts'], { cwd: REPO_ROOT, env: offlineEnv({ CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) }), encoding: 'utf8', timeout: TIMEOUT_MS });
    return { result, outdir };
  }

  it(
    'takes a quoted glob or a folder in `-c eks-lambda-scaler:scaledObjects`, as README shows',
    () => {
      const glob = synthWithScaledObjects('test/cli/fixtures/kinesis-*.yaml');
      expect(glob.result.status, glob.result.stderr).toBe(0);
      // The object's stream reaches the IAM policy (the template names no object: metrics are per cluster).
      expect(JSON.stringify(readTemplate(glob.outdir))).toContain(':stream/clicks');

      // A folder (absolute here): every .yaml and .yml under it.
      const folder = mkdtempSync(join(tmpdir(), 'scaledobjects-'));
      mkdirSync(join(folder, 'streams'));
      writeFileSync(join(folder, 'streams/clicks.yml'), readFileSync(join(REPO_ROOT, 'test/cli/fixtures/kinesis-consumer.yaml')));
      const fromFolder = synthWithScaledObjects(folder);
      expect(fromFolder.result.status, fromFolder.result.stderr).toBe(0);
      expect(JSON.stringify(readTemplate(fromFolder.outdir))).toContain(':stream/clicks');
    },
    TIMEOUT_MS,
  );

  it(
    'deploys for ScaledObjects read from the cluster: `-c` clusters with objectSource, scaledObjects=none and clusterObjectPermissions, as README shows',
    () => {
      const { result, outdir } = synthWithScaledObjects('none', {
        'eks-lambda-scaler:clusters': '[{"name":"my-cluster","objectSource":"cluster"}]',
        'eks-lambda-scaler:clusterObjectPermissions': '{"queueArns":["arn:aws:sqs:us-east-1:123456789012:shop-*"]}',
      });
      expect(result.status, result.stderr).toBe(0);
      const template = JSON.stringify(readTemplate(outdir));
      expect(template).toContain('ReadClusterObjectQueues');
      expect(template).toContain('arn:aws:sqs:us-east-1:123456789012:shop-*');
    },
    TIMEOUT_MS,
  );

  it(
    'says where it looked when the glob matches nothing, and offers a path that exists',
    () => {
      const { result } = synthWithScaledObjects('k8s/scaledobjects/*.yaml');
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`no file matches "k8s/scaledobjects/*.yaml" in ${REPO_ROOT.replace(/\/$/, '')} (paths are relative to the folder of cdk.json)`);
      expect(result.stderr).toContain('The folder k8s/scaledobjects does not exist there.');
      expect(result.stderr).toContain("-c eks-lambda-scaler:scaledObjects='examples/*.yaml'");
      expect(result.stderr).not.toContain('e.g. -c eks-lambda-scaler:scaledObjects=k8s/scaledobjects');
    },
    TIMEOUT_MS,
  );
});
