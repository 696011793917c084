/**
 * What the Lambda bundles may not contain: the client-node package index (every API group,
 * attach/exec over `ws`, cp over `tar`) and the YAML parser, which the Lambdas never need (their
 * configuration is JSON validated at synth time). Composition only; size and start-up time are
 * measured by bench/cold-start.ts, never by tests.
 */
import { build } from 'esbuild';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/scaler-stack';

async function bundledInputs(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [join(REPO_ROOT, entry)],
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    mainFields: ['module', 'main'],
    write: false,
    metafile: true,
    logLevel: 'error',
    absWorkingDir: REPO_ROOT,
  });
  return Object.keys(result.metafile.inputs);
}

describe.each(['lambdas/pod-scaler/handler.ts', 'lambdas/node-scaler/handler.ts'])('%s bundle', (entry) => {
  it('leaves out the YAML parser, ws, tar and client-node\'s package index', async () => {
    const inputs = await bundledInputs(entry);
    const from = (packagePath: string) => inputs.filter((input) => input.includes(`node_modules/${packagePath}`));
    expect(from('yaml/')).toEqual([]);
    expect(from('ws/')).toEqual([]);
    expect(from('tar-stream/')).toEqual([]);
    expect(from('@kubernetes/client-node/dist/index.js')).toEqual([]);
    expect(from('@kubernetes/client-node/dist/config.js')).toHaveLength(1);
  }, 60_000);
});
