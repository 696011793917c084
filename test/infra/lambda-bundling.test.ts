/**
 * The construct's bundling step (lib/scaler-functions.ts `bundleHandler`, running
 * lib/bundle/build-lambda.mjs): what it writes, and how it fails. The stacks of the other infra tests
 * bundle through it too; this file checks the output files, what a cold start of them loads, and the
 * error an operator sees.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleHandler } from '../../lib/scaler-functions';
import { REPO_ROOT } from './support/scaler-stack';

const work = mkdtempSync(join(tmpdir(), 'lambda-bundling-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The source files of every JavaScript file of a bundle folder, by the file's path relative to it. */
function sourcesByFile(outputDir: string): Map<string, string[]> {
  const files = readdirSync(outputDir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.mjs'));
  return new Map(files.map((file) => [file.split(sep).join('/'), (JSON.parse(readFileSync(join(outputDir, `${file}.map`), 'utf8')) as { sources: string[] }).sources]));
}

/**
 * Imports the bundle's handler module in a fresh Node 24 and names the bundle files that import
 * loaded (a module hook records them), then imports every other file of the bundle, as a pass that
 * needs them would, so a chunk that cannot load fails here rather than in a Lambda.
 */
function coldStartOf(outputDir: string, allFiles: readonly string[]): { loaded: string[]; stderr: string; status: number | null } {
  const folder = pathToFileURL(outputDir).href + '/';
  const script = [
    "import { registerHooks } from 'node:module';",
    'const loaded = [];',
    `registerHooks({ load(url, context, next) { if (url.startsWith(${JSON.stringify(folder)})) loaded.push(url.slice(${folder.length})); return next(url, context); } });`,
    `await import(${JSON.stringify(folder + 'index.mjs')});`,
    'const atColdStart = [...loaded];',
    `for (const file of ${JSON.stringify(allFiles)}) await import(${JSON.stringify(folder)} + file);`,
    'console.log(JSON.stringify(atColdStart));',
  ].join('\n');
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', SCALER_CONFIG_FILE: join(outputDir, 'no-config.json') },
  });
  return { loaded: run.status === 0 ? (JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '[]') as string[]) : [], stderr: run.stderr, status: run.status };
}

describe('bundling a scaler Lambda', () => {
  const podScaler = mkdtempSync(join(work, 'pod-scaler-'));
  beforeAll(() => bundleHandler(REPO_ROOT, join(REPO_ROOT, 'lambdas', 'pod-scaler', 'handler.ts'), podScaler), 60_000);

  it('writes the minified handler module and its chunks, each with a source map linked so that --enable-source-maps finds it', () => {
    const bundle = readFileSync(join(podScaler, 'index.mjs'), 'utf8');
    expect(bundle.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map')).toBe(true);
    const maps = sourcesByFile(podScaler);
    expect(maps.get('index.mjs')?.some((source) => source.endsWith('lambdas/pod-scaler/handler.ts'))).toBe(true);
    expect([...maps.keys()].filter((file) => file !== 'index.mjs' && !file.startsWith('chunks/'))).toEqual([]);
    for (const file of maps.keys()) {
      const map = JSON.parse(readFileSync(join(podScaler, `${file}.map`), 'utf8')) as { sourcesContent?: unknown };
      expect(map.sourcesContent, file).toBeUndefined();
    }
    // The plugin's work (lib/bundle/client-node-models-plugin.mjs): no generated model in any file.
    expect([...maps.values()].flat().filter((source) => source.includes('client-node/dist/gen/models/'))).toEqual([]);
  });

  it('loads at a cold start only what every invocation uses; the rest loads when a pass imports it (docs/performance.md §31)', () => {
    const maps = sourcesByFile(podScaler);
    const { loaded, stderr, status } = coldStartOf(podScaler, [...maps.keys()]);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(loaded).toContain('index.mjs');
    const coldSources = loaded.flatMap((file) => maps.get(file) ?? []);
    const allSources = [...maps.values()].flat();
    // Shard fan-out and the node scaler's notice, Kafka reads, undici's fetch (the node scaler's
    // generated clients), and the credential providers a Lambda's environment makes unnecessary.
    const lazilyLoaded = ['@aws-sdk/client-lambda/', 'lambdas/adapters/kafka/', 'undici/lib/web/fetch/index.js', '@aws-sdk/credential-provider-sso/', '@aws-sdk/nested-clients/'];
    for (const part of lazilyLoaded) {
      expect(allSources.some((source) => source.includes(part)), `${part} is in the bundle`).toBe(true);
      expect(coldSources.filter((source) => source.includes(part)), `${part} is not loaded at a cold start`).toEqual([]);
    }
    // What every pass uses is there from the start.
    for (const part of ['lambdas/pod-scaler/tick.ts', 'lambdas/adapters/kubernetes/kubernetes-rest.ts', '@aws-sdk/client-dynamodb/', '@aws-sdk/client-sqs/']) {
      expect(coldSources.some((source) => source.includes(part)), `${part} is loaded at a cold start`).toBe(true);
    }
  });

  it('fails the synth with the entry named when esbuild cannot bundle it', () => {
    const outputDir = mkdtempSync(join(work, 'out-'));
    const entry = join(REPO_ROOT, 'lambdas', 'pod-scaler', 'no-such-handler.ts');
    expect(() => bundleHandler(REPO_ROOT, entry, outputDir)).toThrow(/bundling .*no-such-handler\.ts failed \(exit 1\)/);
    expect(existsSync(join(outputDir, 'index.mjs'))).toBe(false);
  }, 60_000);
});
