/**
 * What a command may touch of the outside world. `runCli` receives it, so tests drive every
 * command in-process with captured streams, a chosen environment and a working directory.
 */
export interface OutputStream {
  write(chunk: string): unknown;
  /** True on a terminal: only then is a progress bar drawn (CI logs stay clean). */
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Record<string, string | undefined>;
  /** Relative paths in arguments resolve against this directory. */
  cwd: string;
  /** The whole of stdin, for `-` in place of a manifest file; absent where there is none. */
  readStdin?: () => Promise<string>;
}

/** Exit codes shared by every command. */
export const EXIT_OK = 0;
/** The command ran and found problems (invalid manifests, failed objects). */
export const EXIT_FINDINGS = 1;
/** The command line itself was wrong. */
export const EXIT_USAGE = 2;

export function writeLine(stream: OutputStream, line = ''): void {
  stream.write(`${line}\n`);
}
