/** The shape every subcommand has, so `main.ts` can list, describe and dispatch them uniformly. */
import type { CliIo } from '../io';

export interface CommandDefinition {
  name: string;
  /** One line for the top-level help. */
  summary: string;
  /** The command's full `--help` text. */
  usage: string;
  /** Returns the exit code; throws UsageError for a wrong command line. */
  run(argv: string[], io: CliIo): Promise<number>;
}
