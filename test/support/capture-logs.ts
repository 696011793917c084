/**
 * The handler's log lines while `run` runs, parsed: the handler built inside `run` logs at INFO
 * (quietHandlerOptions reads TEST_LOG_LEVEL when it is built).
 */
import { vi } from 'vitest';

/** `metrics: true` also keeps the embedded-metric-format lines (those carry `_aws`, not `level`). */
export async function captureLogs<T>(run: () => Promise<T>, options: { metrics?: boolean } = {}): Promise<{ result: T; lines: Record<string, unknown>[] }> {
  const written: string[] = [];
  process.env.TEST_LOG_LEVEL = 'INFO';
  const capture = (chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  };
  // Powertools writes WARN and ERROR lines to stderr, the rest to stdout.
  const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(capture), vi.spyOn(process.stderr, 'write').mockImplementation(capture)];
  try {
    const result = await run();
    const lines = written
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{') && (line.includes('"level"') || (options.metrics === true && line.includes('"_aws"'))))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    return { result, lines };
  } finally {
    for (const spy of spies) spy.mockRestore();
    delete process.env.TEST_LOG_LEVEL;
  }
}
