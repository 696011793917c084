/**
 * Init CPU of pod scaler bundles compared in turn: run 1 of each bundle, then run 2 of each, and so
 * on, so that what other jobs do to the shared cores falls on every bundle alike. Back-to-back runs
 * of bench/cold-start.ts moved by 30 ms and more between themselves on this machine, more than the
 * differences measured; this is what docs/performance.md uses for before/after pairs of init.
 * Each run is the cold-start bench's "init CPU": a fresh node imports the bundle and calls the
 * handler once with the wiring-only alarm event and a one-object configuration.
 *
 *   npx tsx bench/cold-start.ts --runs 1          # writes bench/out/bundles/pod-scaler/ (index.mjs, chunks/)
 *   rm -rf /tmp/after && cp -r bench/out/bundles/pod-scaler /tmp/after   # ... and the same for the other commit
 *   npx tsx bench/cold-start-ab.ts --runs 21 /tmp/before/index.mjs /tmp/after/index.mjs
 */
import { benchConfigFile, DUMMY_ENV, firstCallScript, timeProcess, WIRING_ONLY_EVENT } from './cold-start';
import { isMain } from './support/output';
import { formatNumber, formatTable } from './support/table';

export interface AbRow {
  bundle: string;
  runs: number;
  /** CPU of the import and the first call, ms: 25th, 50th and 75th percentile. */
  initCpuMs: [number, number, number];
}

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.round((sorted.length - 1) * fraction)] ?? NaN;
}

export async function runAb(bundles: readonly string[], runs: number): Promise<AbRow[]> {
  const env = { ...DUMMY_ENV, SCALER_CONFIG_FILE: await benchConfigFile() };
  const samples = bundles.map(() => [] as number[]);
  for (let run = 0; run < runs; run += 1) {
    bundles.forEach((file, index) => samples[index]!.push(timeProcess(['--input-type=module', '-e', firstCallScript(file, WIRING_ONLY_EVENT)], env).printed));
  }
  return bundles.map((bundle, index) => ({
    bundle,
    runs,
    initCpuMs: [percentile(samples[index]!, 0.25), percentile(samples[index]!, 0.5), percentile(samples[index]!, 0.75)],
  }));
}

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 21;
  const bundles = args.filter((_, index) => index !== runsAt && index !== runsAt + 1);
  if (bundles.length === 0) throw new Error('usage: npx tsx bench/cold-start-ab.ts [--runs 21] <bundle.mjs> [<bundle.mjs> ...]');
  const rows = await runAb(bundles, runs);
  console.log(
    formatTable(
      `Pod scaler init CPU (import + wiring), bundles run in turn, ${runs} runs each`,
      ['bundle', 'p25', 'median', 'p75'],
      rows.map((row) => [row.bundle, ...row.initCpuMs.map((value) => `${formatNumber(Math.round(value))} ms`)]),
    ),
  );
}
