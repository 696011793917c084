import { spawnSync } from 'node:child_process';
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
});
