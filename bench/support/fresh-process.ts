/**
 * Runs one measurement of a bench script in a fresh process (a fresh "Lambda container": RSS never
 * shrinks, and caches start clean), and hands back what that process sends.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The argument a bench script recognises as "measure one size and send the row back". */
export const MEASURE_ONE = '--measure-one';

export function measureInFreshProcess<T>(scriptUrl: string, args: string[], what: string): Promise<T> {
  const child = fork(fileURLToPath(scriptUrl), [MEASURE_ONE, ...args], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise<T>((resolve, reject) => {
    let row: T | undefined;
    child.on('message', (message: T) => (row = message));
    child.on('exit', (code) => (row ? resolve(row) : reject(new Error(`${what} exited with code ${code}`))));
  });
}

/** The value after `--name` on the command line. */
export function flag(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}
