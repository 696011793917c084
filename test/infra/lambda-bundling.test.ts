/**
 * The construct's bundling step (lib/scaler-functions.ts `bundleHandler`, running
 * lib/bundle/build-lambda.mjs): what it writes, and how it fails. The stacks of the other infra tests
 * bundle through it too; this file checks the output files and the error an operator sees.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleHandler } from '../../lib/scaler-functions';
import { REPO_ROOT } from './support/scaler-stack';

const work = mkdtempSync(join(tmpdir(), 'lambda-bundling-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('bundling a scaler Lambda', () => {
  it('writes the minified bundle and its source map, linked so that --enable-source-maps finds it', () => {
    const outputDir = mkdtempSync(join(work, 'out-'));
    bundleHandler(REPO_ROOT, join(REPO_ROOT, 'lambdas', 'pod-scaler', 'handler.ts'), join(outputDir, 'index.mjs'));
    const bundle = readFileSync(join(outputDir, 'index.mjs'), 'utf8');
    expect(bundle.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map')).toBe(true);
    expect(existsSync(join(outputDir, 'index.mjs.map'))).toBe(true);
    const map = JSON.parse(readFileSync(join(outputDir, 'index.mjs.map'), 'utf8')) as { sources: string[]; sourcesContent?: unknown };
    expect(map.sources.some((source) => source.endsWith('lambdas/pod-scaler/handler.ts'))).toBe(true);
    expect(map.sourcesContent).toBeUndefined();
    // The plugin's work (lib/bundle/client-node-models-plugin.mjs): no generated model in the map.
    expect(map.sources.filter((source) => source.includes('client-node/dist/gen/models/'))).toEqual([]);
  }, 60_000);

  it('fails the synth with the entry named when esbuild cannot bundle it', () => {
    const outputDir = mkdtempSync(join(work, 'out-'));
    const entry = join(REPO_ROOT, 'lambdas', 'pod-scaler', 'no-such-handler.ts');
    expect(() => bundleHandler(REPO_ROOT, entry, join(outputDir, 'index.mjs'))).toThrow(/bundling .*no-such-handler\.ts failed \(exit 1\)/);
    expect(existsSync(join(outputDir, 'index.mjs'))).toBe(false);
  }, 60_000);
});
