/**
 * Benchmark 5, CLI start-up (issue 19: a command took about 3.5 s when the launcher compiled the
 * TypeScript through tsx on every run). Fresh processes, median and slowest of repeated runs, of
 * `validate` on one file and of `--version`, through the real launcher (bin/eks-lambda-scaler.mjs,
 * running the build in dist/cli), next to a bare `node` as the floor and the same `validate`
 * through tsx from the sources as the before. The budget is 300 ms for `validate` on one file.
 *
 *   npx tsx bench/cli-start.ts [--runs 15]
 */
import { join } from 'node:path';
import { timeProcess } from './cold-start';
import { REPO_ROOT, isMain, writeResult } from './support/output';
import { formatNumber, formatTable, median } from './support/table';

export const VALIDATE_BUDGET_MS = 300;
const LAUNCHER = join(REPO_ROOT, 'bin/eks-lambda-scaler.mjs');
const ONE_FILE = join(REPO_ROOT, 'examples/sqs-worker.yaml');
const ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };

export interface CliStartRow {
  command: string;
  runs: number;
  medianMs: number;
  slowestMs: number;
}

function measure(command: string, args: string[], runs: number): CliStartRow {
  const walls = Array.from({ length: runs }, () => timeProcess(args, ENV).wallMs);
  return { command, runs, medianMs: median(walls), slowestMs: Math.max(...walls) };
}

const viaTsx = `const { runCli } = await import(${JSON.stringify(join(REPO_ROOT, 'cli/main.ts'))}); const io = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }; process.exitCode = await runCli(['validate', ${JSON.stringify(ONE_FILE)}], io); console.log(0);`;

export function runCliStart(runs: number): CliStartRow[] {
  // One run first, so the launcher's one-time build (after a clone or an edit) is not measured.
  timeProcess([LAUNCHER, '--version'], ENV);
  return [
    measure('bare node (floor)', ['-e', 'console.log(0)'], runs),
    measure('eks-lambda-scaler --version', [LAUNCHER, '--version'], runs),
    measure('eks-lambda-scaler validate <one file>', [LAUNCHER, 'validate', ONE_FILE], runs),
    measure('before: validate through tsx', ['--import', 'tsx', '--input-type=module', '-e', viaTsx], Math.min(runs, 5)),
  ];
}

export function cliStartTable(rows: readonly CliStartRow[]): string {
  const validate = rows.find((row) => row.command.includes('validate <one file>'));
  const verdict = validate ? ` (budget ${VALIDATE_BUDGET_MS} ms: ${validate.medianMs <= VALIDATE_BUDGET_MS ? 'met' : 'MISSED'})` : '';
  return formatTable(
    `CLI start-up: fresh node processes through the launcher${verdict}`,
    ['command', 'runs', 'median', 'slowest'],
    rows.map((row) => [row.command, row.runs, `${formatNumber(Math.round(row.medianMs))} ms`, `${formatNumber(Math.round(row.slowestMs))} ms`]),
  );
}

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

if (isMain(import.meta.url)) {
  const rows = runCliStart(Number(flag('runs') ?? 15));
  console.log(cliStartTable(rows));
  await writeResult('cli-start', rows);
}
