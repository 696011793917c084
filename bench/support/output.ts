/**
 * Where benchmark results go: one JSON document per benchmark under bench/out/ (git-ignored), with
 * the machine it ran on, so a figure in docs/performance.md can always be traced to a run.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const REPO_ROOT = dirname(BENCH_DIR);
export const OUT_DIR = join(BENCH_DIR, 'out');

export interface MachineInfo {
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  node: string;
  platform: string;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cpus: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export async function writeResult(name: string, data: unknown): Promise<string> {
  await mkdir(OUT_DIR, { recursive: true });
  const file = join(OUT_DIR, `${name}.json`);
  await writeFile(file, `${JSON.stringify({ benchmark: name, at: new Date().toISOString(), machine: machineInfo(), data }, null, 2)}\n`, 'utf8');
  return file;
}

/** True when `moduleUrl` is the script node was started with (so a bench file runs on its own). */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && fileURLToPath(moduleUrl).replace(/\.ts$/, '') === entry.replace(/\.ts$/, '');
}
