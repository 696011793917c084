/**
 * The package as a CDK app gets it: `npm pack`, installed offline into a fresh folder, then a tiny
 * app synthesized against it (the Lambdas bundled from the installed package) and the CLI run
 * from it with `npx eks-lambda-scaler validate`, without this clone on any path.
 *
 * Offline: the app's node_modules starts as a hard-linked copy of this repository's (the same
 * locked versions the tarball asks for), so `npm install --offline <tarball>` only adds the package
 * and prunes what the app does not need.
 */
import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/scaler-stack';

const work = mkdtempSync(join(tmpdir(), 'eks-lambda-scaler-package-'));
const appDir = join(work, 'app');
// This repository's Node 24 first, as npx and npm scripts have it.
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, npm_config_update_notifier: 'false' };

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 240_000 });
  if (result.error) throw result.error;
  return result;
}

function mustRun(command: string, args: string[], cwd: string): string {
  const result = run(command, args, cwd);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

const TINY_APP = `
import { App, Stack } from 'aws-cdk-lib';
import { Cluster } from 'aws-cdk-lib/aws-eks';
import { EksLambdaScaler, ScaledObjectSource } from 'eks-lambda-scaler';

const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'Tiny', { env: { account: '111111111111', region: 'us-east-1' } });
const scaler = new EksLambdaScaler(stack, 'Scaler', {
  clusters: [Cluster.fromClusterAttributes(stack, 'Prod', { clusterName: 'prod' })],
  scaledObjects: [ScaledObjectSource.fromFile('sqs-worker.yaml')],
});
scaler.metricErrors();
app.synth();
`;

let tarball: string;

beforeAll(() => {
  mustRun('npm', ['pack', '--pack-destination', work, '--silent'], REPO_ROOT);
  tarball = join(work, readdirSync(work).find((name) => name.endsWith('.tgz')) ?? 'missing.tgz');
  mustRun('mkdir', ['-p', appDir], work);
  writeFileSync(
    join(appDir, 'package.json'),
    JSON.stringify({ name: 'tiny-app', private: true, type: 'module', dependencies: { 'aws-cdk-lib': '2.276.0', constructs: '10.8.1' } }),
  );
  mustRun('cp', ['-al', join(REPO_ROOT, 'node_modules'), join(appDir, 'node_modules')], work);
  // --prefer-offline, not --offline: the hard-linked node_modules serves every package, but npm still
  // wants aws-cdk-lib's registry document, which a fresh machine's cache (after `npm ci`) does not hold.
  mustRun('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], appDir);
  copyFileSync(join(REPO_ROOT, 'examples', 'sqs-worker.yaml'), join(appDir, 'sqs-worker.yaml'));
  writeFileSync(join(appDir, 'app.mjs'), TINY_APP);
}, 480_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm pack', () => {
  it('ships compiled JavaScript and declarations for lib/, the handlers and the built CLI, and no tests', () => {
    const files = mustRun('tar', ['tzf', tarball], work).split('\n');
    expect(files).toEqual(expect.arrayContaining([
      'package/dist/lib/index.js',
      'package/dist/types/lib/index.d.ts',
      'package/dist/cli/current.json',
      'package/lambdas/pod-scaler/handler.ts',
      'package/lambdas/node-scaler/handler.ts',
      'package/bin/eks-lambda-scaler.mjs',
    ]));
    expect(files.filter((file) => file.startsWith('package/test/') || file.includes('.test.'))).toEqual([]);
  });

  it('installed from the tarball, a CDK app synthesizes against it, Lambdas bundled from the package', () => {
    mustRun(process.execPath, ['app.mjs'], appDir);
    const template = JSON.parse(readFileSync(join(appDir, 'cdk.out', 'Tiny.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties: { Description?: string } }> };
    const functions = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function');
    expect(functions.map((fn) => fn.Properties.Description)).toContainEqual(expect.stringContaining('pod scaler'));
    const assets = readdirSync(join(appDir, 'cdk.out')).filter((name) => name.startsWith('asset.'));
    expect(assets.some((asset) => existsSync(join(appDir, 'cdk.out', asset, 'scaler-config.json')))).toBe(true);
  }, 240_000);

  it('runs `npx eks-lambda-scaler validate` from the installed package, with the shipped build', () => {
    const result = run('npx', ['--offline', 'eks-lambda-scaler', 'validate', 'sqs-worker.yaml'], appDir);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('ok  shop/orders-worker');
    expect(result.status).toBe(0);
    const bad = run('npx', ['--offline', 'eks-lambda-scaler', 'validate', 'nope.yaml'], appDir);
    expect(bad.stderr).toContain('nope.yaml');
    expect(bad.status).not.toBe(0);
  }, 60_000);
});
