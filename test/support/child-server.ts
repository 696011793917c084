/**
 * The pieces every real-server test helper needs around a child process (moto, the kube-apiserver
 * harness): a one-time install or build under a lock shared by parallel vitest workers, a command
 * run to completion under a deadline, the child's first stdout line as its JSON "ready" message,
 * and a stop that closes the child's stdin (its contract: it exits when the test process goes).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Runs `work` once across processes: the one that creates `lockDir` (mkdir is atomic) works while
 * the others wait until `done()`. A lock whose holder died is taken over.
 */
export async function onceUnderLock(lockDir: string, options: { done: () => boolean; deadline: number; what: string; pollMs?: number }, work: () => Promise<void>): Promise<void> {
  while (!options.done()) {
    if (takeLock(lockDir)) {
      try {
        if (!options.done()) await work();
      } finally {
        rmSync(lockDir, { recursive: true, force: true });
      }
      return;
    }
    if (Date.now() > options.deadline) throw new Error(`${options.what}: gave up waiting for ${lockDir} (another worker's run); remove it if none is running`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
  }
}

function takeLock(lockDir: string): boolean {
  try {
    mkdirSync(lockDir);
    writeFileSync(join(lockDir, 'pid'), String(process.pid));
    return true;
  } catch {
    let holder = NaN;
    try {
      holder = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
    } catch {
      // The lock is made but its pid not written yet: look again next round.
    }
    if (Number.isInteger(holder) && holder > 0 && !isAlive(holder)) rmSync(lockDir, { recursive: true, force: true });
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs a command to its end; rejects with the last of its output when it fails or passes the deadline. */
export function runCommand(command: string, args: string[], options: { deadline: number; what: string; hint?: string; cwd?: string; env?: NodeJS.ProcessEnv }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(options.cwd ? { cwd: options.cwd } : {}), ...(options.env ? { env: options.env } : {}) });
    let log = '';
    const keep = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(1, options.deadline - Date.now()));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${options.what}: ${command} could not start: ${error.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${options.what}: ${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`})${options.hint ? `; ${options.hint}` : ''}:\n${log}`));
    });
  });
}

/** The child's first stdout line, parsed as JSON: its "ready" message. Kills the child if none comes in time. */
export function readReadyLine<T>(child: ChildProcess, options: { timeoutMs: number; what: string; stderr: () => string }): Promise<T> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${options.what} did not start: ${why}\n${options.stderr()}`));
    };
    const timer = setTimeout(() => fail(`not ready in ${options.timeoutMs} ms`), options.timeoutMs);
    child.on('error', (error) => fail(error.message));
    child.on('exit', (code, signal) => fail(`it exited (${signal ?? `code ${code}`})`));
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      try {
        resolve(JSON.parse(stdout.slice(0, newline)) as T);
      } catch {
        fail(`unexpected first line ${JSON.stringify(stdout.slice(0, newline))}`);
      }
    });
  });
}

/** Closes the child's stdin, its stop signal; SIGKILL if it has not exited after `graceMs`. */
export function stopByClosingStdin(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.stdin?.end();
  });
}
