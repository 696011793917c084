/**
 * Runs the CLI in-process through `runCli`, its real entry point, with captured output.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli, type CliIo } from '../../cli/main';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const FIXTURES = join(REPO_ROOT, 'test/cli/fixtures');

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

export function captureIo(env: Record<string, string | undefined> = {}, cwd = REPO_ROOT): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: { write: (chunk: string) => out.push(chunk), isTTY: false },
    stderr: { write: (chunk: string) => err.push(chunk), isTTY: false },
    env,
    cwd,
  };
}

export async function cli(argv: string[], env: Record<string, string | undefined> = {}, cwd = REPO_ROOT): Promise<CliOutcome> {
  const io = captureIo(env, cwd);
  const code = await runCli(argv, io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

/** A fresh directory for reports, so tests never collide. */
export function tempDir(prefix = 'cli-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
