import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, REPO_ROOT } from './cli-harness';

/** What `engines.node` says and the launcher checks: undici 7's floor (the Kubernetes client's HTTP stack). */
const ENGINES_FLOOR = '20.18.1';
/** The oldest Node of each line on which README says `npm ci` and the first `npx` print no warning. */
const README_QUIET_VERSIONS = ['20.19.0', '22.13.0', '24.0.0'];

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

  it('declares what README promises: engines 20.18.1 (undici 7), quiet npm ci on 20.19+ / 22.13+ / 24+, devEngines 20.17+', () => {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const deploy = readFileSync(join(REPO_ROOT, 'docs/deploy.md'), 'utf8');
    expect(manifest.engines.node).toBe(`>=${ENGINES_FLOOR}`);
    expect(readme).toContain('Node.js 20.19 or later (or 22.13+, or 24+)');
    expect(readme).toContain(`\`engines\` says ${ENGINES_FLOOR}`);
    expect(deploy).toContain(`Node ${ENGINES_FLOOR}+ to synth`);
    // undici 7 reaches the Kubernetes client only through this override; undici 8 needs Node 22.19.
    expect(manifest.overrides).toEqual({ '@kubernetes/client-node': { undici: '7.30.2' } });
    // devEngines makes npm skip the root's own engines check on install, and lets npm ci and npm
    // test run on an older system Node (the code then runs on the installed Node 24).
    expect(manifest.devEngines.runtime).toMatchObject({ name: 'node', version: '>=20.17.0' });
    const launcher = readFileSync(join(REPO_ROOT, 'bin/eks-lambda-scaler.mjs'), 'utf8');
    expect(launcher).toContain('major < 20 || (major === 20 && (minor < 18 || (minor === 18 && patch < 1)))');
    expect(launcher).toContain(`needs Node.js >= ${ENGINES_FLOOR}`);
    expect(satisfiesNodeRange(manifest.devDependencies.node, manifest.engines.node)).toBe(true);
  });

  it('has no runtime package that npm would warn about (EBADENGINE) on the engines floor', () => {
    // What the first `npx eks-lambda-scaler` in a clone checks: our own engines and the runtime tree.
    const refusing = lockedPackagesRefusing(ENGINES_FLOOR, { runtimeOnly: true });
    expect(refusing).toEqual([]);
  });

  it('has no installed package that npm would warn about (EBADENGINE) on the Node versions README names', () => {
    // npm ci installs the dev tools too: vite 8 and eslint 10 need ^20.19 (and eslint ^22.13 || >=24).
    for (const version of README_QUIET_VERSIONS) expect(lockedPackagesRefusing(version, { runtimeOnly: false }), version).toEqual([]);
    // The rows that set these floors: undici 7, eslint 10 and vite 8; the forms the helper reads.
    expect(satisfiesNodeRange('20.18.1', '>=20.18.1')).toBe(true);
    expect(satisfiesNodeRange('20.18.0', '>=20.18.1')).toBe(false);
    expect(satisfiesNodeRange('20.18.1', '^20.19.0 || ^22.13.0 || >=24')).toBe(false);
    expect(satisfiesNodeRange('22.12.0', '^20.19.0 || ^22.13.0 || >=24')).toBe(false);
    expect(satisfiesNodeRange('23.1.0', '^20.19.0 || ^22.13.0 || >=24')).toBe(false);
    expect(satisfiesNodeRange('20.20.2', '^20.19.0 || >=22.12.0')).toBe(true);
    expect(satisfiesNodeRange('22.19.0', '18 || 20 || >=22')).toBe(true);
  });
});

/** Locked packages (not optional) whose `engines.node` does not accept `version`, with their range. */
function lockedPackagesRefusing(version: string, { runtimeOnly }: { runtimeOnly: boolean }): string[] {
  type LockEntry = { engines?: { node?: string }; optional?: boolean; dev?: boolean };
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  return Object.entries(lock.packages)
    .filter(([, entry]) => !entry.optional && !(runtimeOnly && entry.dev) && typeof entry.engines?.node === 'string')
    .filter(([, entry]) => !satisfiesNodeRange(version, entry.engines!.node!))
    .map(([path, entry]) => `${path || 'eks-lambda-scaler'} (${entry.engines!.node})`);
}

/**
 * Whether `version` meets an `engines.node` range, in the forms the lockfile uses: `*`, `>=X[.Y[.Z]]`,
 * `^X[.Y[.Z]]` and a bare major, joined by `||`. Any other form throws, so a new one is noticed.
 */
function satisfiesNodeRange(version: string, range: string): boolean {
  const parts = (text: string) => [...text.split('.').map(Number), 0, 0].slice(0, 3) as [number, number, number];
  const compare = (a: number[], b: number[]) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;
  const have = parts(version.replace(/^v/, ''));
  return range.split('||').some((alternative) => {
    const text = alternative.trim();
    if (text === '*') return true;
    const match = /^(>=|\^)?\s*(\d+(?:\.\d+){0,2})$/.exec(text);
    if (!match) throw new Error(`engines range form not handled: "${range}"`);
    const want = parts(match[2]!);
    if (match[1] === '>=') return compare(have, want) >= 0;
    // ^X.Y.Z and a bare major both stay within the major (every range here has a major above 0).
    return have[0] === want[0] && compare(have, want) >= 0;
  });
}
