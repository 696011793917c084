/**
 * Benchmark 3, cold start and size: each Lambda bundled with esbuild the way the CDK construct
 * bundles it (lib/scaler-functions.ts: ESM, node24, minified, everything bundled, the createRequire
 * banner, the aliases and plugin of lib/lambda-bundle-aliases.ts, a linked source map, the modules
 * imported with `import()` in chunks of their own), its size raw and gzipped (all its files, and
 * the part a cold start loads: the handler module and the chunks it imports statically), and its
 * initialisation time in fresh
 * Node processes (median of repeated runs) next to a bare `node -e ''` as the floor.
 *
 * Two init figures: `import` loads the bundle as Lambda's runtime does before the first event;
 * `first call` also runs the handler once. The pod scaler's first call is init as issue 13 counts it
 * (import plus wiring): it loads a real one-object configuration (examples/sqs-worker.yaml) and
 * builds its production runtime (every client, the state store, the read plan) for an alarm event in
 * state OK, which evaluates nothing, so no network call is made. The node scaler's stops at a
 * missing configuration file.
 *
 *   npx tsx bench/cold-start.ts [--runs 15]
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { buildScalerConfig, writeScalerConfig } from '../lib/config-bundle';
import { DEPLOYED_ENTRY_NAME, LAMBDA_ESBUILD_PLUGINS, lambdaDeployedJsonOptions } from '../lib/lambda-bundle-aliases';
import { ScaledObjectSource } from '../lib/scaled-object-source';
import { OUT_DIR, REPO_ROOT, isMain, writeResult } from './support/output';
import { formatNumber, formatTable, median } from './support/table';


/** An alarm in state OK: the pod scaler builds its runtime for it and evaluates nothing. */
export const WIRING_ONLY_EVENT = { source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', detail: { alarmName: 'bench', state: { value: 'OK' } } };

export const FUNCTIONS = [
  { name: 'pod-scaler', entry: 'lambdas/pod-scaler/handler.ts', firstEvent: WIRING_ONLY_EVENT, withConfig: true },
  { name: 'node-scaler', entry: 'lambdas/node-scaler/handler.ts', firstEvent: { source: 'aws.scheduler' }, withConfig: false },
] as const;

export interface ColdStartRow {
  name: string;
  /** Every file of the bundle (the handler module and its chunks). */
  bundleBytes: number;
  /** What a cold start loads: the handler module and the chunks it imports statically, transitively. */
  coldStartBytes: number;
  /** The files compressed one by one, as the deployment zip stores them. */
  gzipBytes: number;
  sourceMapBytes: number;
  /** The five largest inputs (packages) in the bundle, bytes of output. */
  largest: { input: string; bytes: number }[];
  runs: number;
  /** Median wall time of a fresh `node` that imports the bundle, ms. */
  importProcessMs: number;
  /** The same with NODE_OPTIONS=--enable-source-maps, as the construct deploys it. */
  importProcessSourceMapsMs: number;
  /** Median wall time of a fresh `node` that imports the bundle and calls the handler once, ms. */
  firstCallProcessMs: number;
  /** In-process time of the import alone, ms. */
  importMs: number;
  /** CPU time (user + system) of the import alone, ms: steadier than wall time on a busy machine. */
  importCpuMs: number;
  /** CPU time of the whole process that imports the bundle and calls the handler once, ms. */
  firstCallCpuMs: number;
  /** CPU time of the import and the first call alone (Node's own start-up left out), ms. */
  initCpuMs: number;
  bareNodeMs: number;
}

interface BundleFiles {
  /** The handler module, which Lambda imports. */
  file: string;
  metafile: Metafile;
  /** Every JavaScript file of the bundle, and those a cold start loads (paths as in the metafile). */
  code: string[];
  coldStart: string[];
}

async function bundle(name: string, entry: string): Promise<BundleFiles> {
  const dir = join(OUT_DIR, 'bundles', name);
  // A fresh folder: the chunks' names carry their hashes, so an old build would leave files behind.
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  // Exactly what the construct deploys (lib/bundle/build-lambda.mjs runs the same options).
  const result = await build({ ...lambdaDeployedJsonOptions(REPO_ROOT, join(REPO_ROOT, entry), dir), plugins: LAMBDA_ESBUILD_PLUGINS, metafile: true });
  const code = Object.keys(result.metafile.outputs).filter((path) => path.endsWith('.mjs'));
  const handlerModule = code.find((path) => path.endsWith(`/${DEPLOYED_ENTRY_NAME}.mjs`));
  if (!handlerModule) throw new Error(`esbuild wrote no ${DEPLOYED_ENTRY_NAME}.mjs for ${entry}`);
  return { file: join(dir, `${DEPLOYED_ENTRY_NAME}.mjs`), metafile: result.metafile, code, coldStart: staticallyImported(handlerModule, result.metafile) };
}

/** The module and every output it imports statically, transitively: what an `import` of it loads. */
export function staticallyImported(module: string, metafile: Metafile): string[] {
  const loaded = new Set<string>();
  const visit = (path: string) => {
    if (loaded.has(path)) return;
    loaded.add(path);
    for (const imported of metafile.outputs[path]?.imports ?? []) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(module);
  return [...loaded];
}

/** Output bytes per package (or our own source tree), largest first. */
function largestInputs(metafile: Metafile): { input: string; bytes: number }[] {
  const byPackage = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = match ? match[1]! : input.split('/')[0]!;
      byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
    }
  }
  return [...byPackage.entries()].map(([input, bytes]) => ({ input, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, 5);
}

export const DUMMY_ENV = {
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'us-east-1',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  STATE_TABLE_NAME: 'bench-state',
  SCALER_CONFIG_FILE: '/nonexistent/scaler-config.json',
};

/**
 * Wall time of one fresh `node` with these arguments, ms, and the two figures its last line may
 * print (in-process wall ms, CPU ms).
 */
export function timeProcess(args: string[], env: Record<string, string>): { wallMs: number; printed: number; printedCpu: number } {
  const began = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - began) / 1e6;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${run.stderr}`);
  const [printed = NaN, printedCpu = NaN] = (run.stdout.trim().split('\n').at(-1) ?? '').split(' ').map(Number);
  return { wallMs, printed, printedCpu };
}

const CPU_MS = (since?: string) => `(({ user, system }) => (user + system) / 1000)(process.cpuUsage(${since ?? ''}))`;
const importScript = (file: string) =>
  `const c = process.cpuUsage(); const t = performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now() - t, ${CPU_MS('c')});`;
export const firstCallScript = (file: string, event: unknown) =>
  `const c = process.cpuUsage(); const m = await import(${JSON.stringify(file)}); ` +
  `await m.handler(${JSON.stringify(event)}, { getRemainingTimeInMillis: () => 60000 }).catch(() => undefined); console.log(${CPU_MS('c')}, ${CPU_MS()});`;

/** A one-object configuration, as the construct bundles it, for the pod scaler's wiring. */
export async function benchConfigFile(): Promise<string> {
  const { config } = buildScalerConfig({ sources: [ScaledObjectSource.fromFile(join(REPO_ROOT, 'examples/sqs-worker.yaml'))], clusters: [{ name: 'bench', region: 'us-east-1' }], nodeGroups: [] });
  return writeScalerConfig(config, join(OUT_DIR, 'cold-start-config'), 'scaler-config').file;
}

export async function runColdStart(runs: number): Promise<ColdStartRow[]> {
  const bare = Array.from({ length: runs }, () => timeProcess(['-e', 'console.log(0)'], DUMMY_ENV).wallMs);
  const rows: ColdStartRow[] = [];
  const configFile = await benchConfigFile();
  for (const fn of FUNCTIONS) {
    const env = fn.withConfig ? { ...DUMMY_ENV, SCALER_CONFIG_FILE: configFile } : DUMMY_ENV;
    const { file, metafile, code, coldStart } = await bundle(fn.name, fn.entry);
    const bytesOf = (paths: readonly string[]) => paths.reduce((sum, path) => sum + (metafile.outputs[path]?.bytes ?? 0), 0);
    const fromRoot = (path: string) => join(REPO_ROOT, path);
    const gzipBytes = (await Promise.all(code.map(async (path) => gzipSync(await readFile(fromRoot(path))).byteLength))).reduce((sum, bytes) => sum + bytes, 0);
    const sourceMapBytes = (await Promise.all(code.map(async (path) => (await readFile(`${fromRoot(path)}.map`)).byteLength))).reduce((sum, bytes) => sum + bytes, 0);
    const eval_ = ['--input-type=module', '-e'];
    const imports = Array.from({ length: runs }, () => timeProcess([...eval_, importScript(file)], DUMMY_ENV));
    const withMaps = Array.from({ length: runs }, () =>
      timeProcess([...eval_, importScript(file)], { ...DUMMY_ENV, NODE_OPTIONS: '--enable-source-maps' }).wallMs,
    );
    const firstCalls = Array.from({ length: runs }, () => timeProcess([...eval_, firstCallScript(file, fn.firstEvent)], env));
    rows.push({
      name: fn.name,
      bundleBytes: bytesOf(code),
      coldStartBytes: bytesOf(coldStart),
      gzipBytes,
      sourceMapBytes,
      largest: largestInputs(metafile),
      runs,
      importProcessMs: median(imports.map((run) => run.wallMs)),
      importProcessSourceMapsMs: median(withMaps),
      firstCallProcessMs: median(firstCalls.map((run) => run.wallMs)),
      importMs: median(imports.map((run) => run.printed)),
      importCpuMs: median(imports.map((run) => run.printedCpu)),
      firstCallCpuMs: median(firstCalls.map((run) => run.printedCpu)),
      initCpuMs: median(firstCalls.map((run) => run.printed)),
      bareNodeMs: median(bare),
    });
  }
  return rows;
}

const kb = (bytes: number) => `${formatNumber(Math.round(bytes / 1024))} KB`;
const ms = (value: number) => `${formatNumber(Math.round(value))} ms`;

export function coldStartTable(rows: readonly ColdStartRow[]): string {
  const runs = rows[0]?.runs ?? 0;
  return formatTable(
    `Cold start and size: esbuild bundle as the CDK construct builds it; fresh node processes, median of ${runs} runs`,
    ['function', 'bundle', 'loaded cold', 'gzipped', 'source map', 'bare node', 'node + import', 'import alone', 'import CPU', '+ --enable-source-maps', 'node + first call', 'first call CPU', 'init CPU', 'largest inputs'],
    rows.map((row) => [
      row.name,
      kb(row.bundleBytes),
      kb(row.coldStartBytes),
      kb(row.gzipBytes),
      kb(row.sourceMapBytes),
      ms(row.bareNodeMs),
      ms(row.importProcessMs),
      ms(row.importMs),
      ms(row.importCpuMs),
      ms(row.importProcessSourceMapsMs),
      ms(row.firstCallProcessMs),
      ms(row.firstCallCpuMs),
      ms(row.initCpuMs),
      row.largest.slice(0, 3).map((input) => `${input.input} ${kb(input.bytes)}`).join(', '),
    ]),
  );
}

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

if (isMain(import.meta.url)) {
  const rows = await runColdStart(Number(flag('runs') ?? 15));
  console.log(coldStartTable(rows));
  await writeResult('cold-start', rows);
}

