import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, REPO_ROOT } from './cli-harness';

describe('the eks-lambda-scaler command', () => {
  it('lists its commands with --help (exit 0) and without a command (exit 2)', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['simulate', 'validate', 'dry-run', 'status']) expect(help.stdout).toMatch(new RegExp(`^  ${command}\\s+\\w`, 'm'));
    const none = await cli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: eks-lambda-scaler <command>');
  });

  it('rejects an unknown command with exit 2', async () => {
    const outcome = await cli(['scale-everything']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('unknown command "scale-everything"');
  });

  it.each(['simulate', 'validate', 'dry-run', 'status'])('%s --help prints its usage and exits 0', async (command) => {
    const outcome = await cli([command, '--help']);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain(`Usage: eks-lambda-scaler ${command}`);
    expect(outcome.stdout).toContain('Exit codes: 0');
  });

  it('runs through the bin launcher with the repository\'s Node', () => {
    const result = spawnSync(join(REPO_ROOT, 'node_modules/.bin/node'), [join(REPO_ROOT, 'bin/eks-lambda-scaler.mjs'), 'validate', '--help'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: eks-lambda-scaler validate');
    const usage = spawnSync(join(REPO_ROOT, 'node_modules/.bin/node'), [join(REPO_ROOT, 'bin/eks-lambda-scaler.mjs'), 'status', '--nope'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(usage.status).toBe(2);
  });

  it('runs built JavaScript from dist/cli, and builds it again once a source is newer', () => {
    const launch = (...argv: string[]) =>
      spawnSync(join(REPO_ROOT, 'node_modules/.bin/node'), [join(REPO_ROOT, 'bin/eks-lambda-scaler.mjs'), ...argv], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(launch('--version').status).toBe(0);
    const pointerFile = join(REPO_ROOT, 'dist/cli/current.json');
    const built = JSON.parse(readFileSync(pointerFile, 'utf8'));
    // The build lists what it was made from: the CLI and the engine's parser, as the launcher checks them.
    expect(built.sources).toEqual(expect.arrayContaining(['cli/main.ts', 'cli/commands/validate.ts', 'lambdas/engine/spec/parse-manifests.ts', 'package.json']));
    const entry = readFileSync(join(REPO_ROOT, 'dist/cli', built.entry), 'utf8');
    expect(entry).not.toMatch(/from ["']tsx/);

    // A build older than its sources (as after an edit or a pull) is replaced before the command runs.
    writeFileSync(pointerFile, JSON.stringify({ ...built, builtAt: 0 }));
    const outcome = launch('validate', 'examples/sqs-worker.yaml');
    expect(outcome.stdout).toContain('ok  shop/orders-worker');
    expect(outcome.status).toBe(0);
    const rebuilt = JSON.parse(readFileSync(pointerFile, 'utf8'));
    expect(rebuilt.builtAt).toBeGreaterThan(0);
    expect(rebuilt.entry).not.toBe(built.entry);
  });

  it('declares what README promises: npm ci on Node >= 20.17 (devEngines), the CLI on the Node 22.12+ it installs (engines)', () => {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    // devEngines makes npm skip the root's engines check on install: no EBADENGINE for our own
    // package on the system Node that runs `npm ci`.
    expect(manifest.devEngines.runtime).toMatchObject({ name: 'node', version: '>=20.17.0' });
    expect(manifest.engines.node).toBe('>=22.12');
    const launcher = readFileSync(join(REPO_ROOT, 'bin/eks-lambda-scaler.mjs'), 'utf8');
    expect(launcher).toContain('major < 22 || (major === 22 && minor < 12)');
    expect(Number(manifest.devDependencies.node.split('.')[0])).toBeGreaterThanOrEqual(22);
  });
});
