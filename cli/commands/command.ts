/** The shape every subcommand has, so `main.ts` can list, describe and dispatch them uniformly. */
import type { CliIo } from '../io';

export interface CommandDefinition {
  name: string;
  /** The command's full `--help` text. */
  usage: string;
  /** Returns the exit code; throws UsageError for a wrong command line. */
  run(argv: string[], io: CliIo): Promise<number>;
}

/**
 * A command as the top level lists it. The module is imported only when the command runs, so
 * `validate` never loads the AWS SDK or the Kubernetes client that `dry-run` needs: start-up time
 * is most of a short command's run (issue 19, bench/cli-start.ts).
 */
export interface CommandEntry {
  name: string;
  /** One line for the top-level help. */
  summary: string;
  load(): Promise<CommandDefinition>;
}
