/**
 * The construct's bundling step (lib/scaler-functions.ts `bundleHandler`, running
 * lib/bundle/build-lambda.mjs): what it writes, and how it fails. The stacks of the other infra tests
 * bundle through it too; this file checks the output files, what a cold start of them loads, and the
 * error an operator sees.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildScalerConfig, writeScalerConfig } from '../../lib/config-bundle';
import { ScaledObjectSource } from '../../lib/scaled-object-source';
import { bundleHandler } from '../../lib/scaler-functions';
import { REPO_ROOT } from './support/scaler-stack';

const work = mkdtempSync(join(tmpdir(), 'lambda-bundling-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The source files of every JavaScript file of a bundle folder, by the file's path relative to it. */
function sourcesByFile(outputDir: string): Map<string, string[]> {
  const files = readdirSync(outputDir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.mjs'));
  return new Map(files.map((file) => [file.split(sep).join('/'), (JSON.parse(readFileSync(join(outputDir, `${file}.map`), 'utf8')) as { sources: string[] }).sources]));
}

/** The bundle's files that some file of it loads with `import()`, relative to the folder. */
function importedLazily(outputDir: string, files: readonly string[]): string[] {
  const targets = new Set<string>();
  for (const file of files) {
    const folder = posix.dirname(file);
    for (const [, target] of readFileSync(join(outputDir, file), 'utf8').matchAll(/import\("(\.\.?\/[^"]+\.mjs)"\)/g)) targets.add(posix.join(folder, target!));
  }
  return [...targets].sort();
}

/** The pod scaler's wiring-only invocation: an alarm back to OK, which builds the runtime and evaluates nothing (as bench/cold-start.ts). */
const WIRING_ONLY_EVENT = { source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', detail: { alarmName: 'bundling-test', state: { value: 'OK' } } };

interface ColdStart {
  /** Files loaded by the import and the wiring. */
  loaded: string[];
  /** The `import()` targets whose module offers nothing but `default`. */
  defaultOnly: string[];
}

/**
 * Imports the bundle's handler module in a fresh Node 24 as Lambda does and, given a configuration,
 * runs the wiring once; names the bundle files that loaded (a module hook records them). Then imports
 * every other file of the bundle, as a pass that needs it would, so a chunk that cannot load fails
 * here rather than in a Lambda, and reports the `import()` targets whose namespace is only `default`.
 */
function coldStartOf(outputDir: string, allFiles: readonly string[], lazyTargets: readonly string[], configFile?: string): { result?: ColdStart; stderr: string; status: number | null } {
  const folder = pathToFileURL(outputDir).href + '/';
  const script = [
    "import { registerHooks } from 'node:module';",
    'const loaded = [];',
    `registerHooks({ load(url, context, next) { if (url.startsWith(${JSON.stringify(folder)})) loaded.push(url.slice(${folder.length})); return next(url, context); } });`,
    `const lambda = await import(${JSON.stringify(folder + 'index.mjs')});`,
    configFile ? `await lambda.handler(${JSON.stringify(WIRING_ONLY_EVENT)}, { getRemainingTimeInMillis: () => 60000 });` : '',
    'const atColdStart = [...loaded];',
    `for (const file of ${JSON.stringify(allFiles)}) await import(${JSON.stringify(folder)} + file);`,
    'const defaultOnly = [];',
    `for (const file of ${JSON.stringify(lazyTargets)}) { const names = Object.keys(await import(${JSON.stringify(folder)} + file)); if (names.length === 1 && names[0] === 'default') defaultOnly.push(file); }`,
    'console.log(JSON.stringify({ loaded: atColdStart, defaultOnly }));',
  ].join('\n');
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: 'bundling-test',
      STATE_TABLE_NAME: 'bundling-test-state',
      SCALER_CONFIG_FILE: configFile ?? join(outputDir, 'no-config.json'),
    },
  });
  const last = run.stdout.trim().split('\n').at(-1);
  return { ...(run.status === 0 && last ? { result: JSON.parse(last) as ColdStart } : {}), stderr: run.stderr, status: run.status };
}

describe('bundling a scaler Lambda', () => {
  const podScaler = mkdtempSync(join(work, 'pod-scaler-'));
  const nodeScaler = mkdtempSync(join(work, 'node-scaler-'));
  let configFile = '';
  beforeAll(() => {
    bundleHandler(REPO_ROOT, join(REPO_ROOT, 'lambdas', 'pod-scaler', 'handler.ts'), podScaler);
    bundleHandler(REPO_ROOT, join(REPO_ROOT, 'lambdas', 'node-scaler', 'handler.ts'), nodeScaler);
    const { config } = buildScalerConfig({ sources: [ScaledObjectSource.fromFile(join(REPO_ROOT, 'examples/sqs-worker.yaml'))], clusters: [{ name: 'bench', region: 'us-east-1' }], nodeGroups: [] });
    configFile = writeScalerConfig(config, mkdtempSync(join(work, 'config-')), 'scaler-config').file;
  }, 120_000);

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

  it('loads at a cold start (import and wiring) only what every invocation uses; the rest loads when a pass imports it (docs/performance.md §31)', () => {
    const maps = sourcesByFile(podScaler);
    const files = [...maps.keys()];
    const { result, stderr, status } = coldStartOf(podScaler, files, importedLazily(podScaler, files), configFile);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(result?.loaded).toContain('index.mjs');
    const coldSources = (result?.loaded ?? []).flatMap((file) => maps.get(file) ?? []);
    const allSources = [...maps.values()].flat();
    // Shard fan-out and the node scaler's notice, Kafka reads, undici's fetch (the node scaler's
    // generated clients), and the credential providers a Lambda's environment makes unnecessary.
    const lazilyLoaded = ['@aws-sdk/client-lambda/', 'lambdas/adapters/kafka/', 'undici/lib/web/fetch/index.js', '@aws-sdk/credential-provider-sso/', '@aws-sdk/nested-clients/'];
    for (const part of lazilyLoaded) {
      expect(allSources.some((source) => source.includes(part)), `${part} is in the bundle`).toBe(true);
      expect(coldSources.filter((source) => source.includes(part)), `${part} is not loaded at a cold start`).toEqual([]);
    }
    // What every pass uses is there from the start.
    for (const part of ['lambdas/pod-scaler/tick.ts', 'lambdas/pod-scaler/production-runtime.ts', 'lambdas/adapters/kubernetes/kubernetes-rest.ts', '@aws-sdk/client-dynamodb/', '@aws-sdk/client-sqs/']) {
      expect(coldSources.some((source) => source.includes(part)), `${part} is loaded at a cold start`).toBe(true);
    }
  });

  // In a split bundle esbuild gives a CommonJS module reached by import() a chunk that exports only
  // `default`: code that destructures `await import(...)` then gets undefined. Each such chunk must
  // have an importer that reads `default` (undici-used-parts.ts does for fetch); node:http is sent to a
  // stand-in with named exports (lib/bundle/node-http-import-plugin.mjs) because the AWS SDK destructures it.
  it.each([
    ['pod scaler', () => podScaler],
    ['node scaler', () => nodeScaler],
  ])('%s: every chunk loads, and the only import() target with nothing but a default export is undici\'s fetch', (_name, folder) => {
    const maps = sourcesByFile(folder());
    const files = [...maps.keys()];
    const lazyTargets = importedLazily(folder(), files);
    const { result, stderr, status } = coldStartOf(folder(), files, lazyTargets);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const defaultOnly = result?.defaultOnly ?? [];
    expect(defaultOnly).toHaveLength(1);
    expect(maps.get(defaultOnly[0]!)?.some((source) => source.endsWith('undici/lib/web/fetch/index.js'))).toBe(true);
    const httpStandIn = lazyTargets.filter((file) => maps.get(file)?.some((source) => source.endsWith('lambdas/bundle/node-http-for-import.ts')));
    expect(httpStandIn).toHaveLength(1);
  });

  it('fails the synth with the entry named when esbuild cannot bundle it', () => {
    const outputDir = mkdtempSync(join(work, 'out-'));
    const entry = join(REPO_ROOT, 'lambdas', 'pod-scaler', 'no-such-handler.ts');
    expect(() => bundleHandler(REPO_ROOT, entry, outputDir)).toThrow(/bundling .*no-such-handler\.ts failed \(exit 1\)/);
    expect(existsSync(join(outputDir, 'index.mjs'))).toBe(false);
  }, 60_000);
});
