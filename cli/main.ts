/**
 * The `eks-lambda-scaler` command line. `runCli` is the whole program as a function of its
 * arguments and I/O, so tests run every command in-process; the bin launcher only wires it to
 * process streams and the exit code.
 */
import packageJson from '../package.json' with { type: 'json' };
import { SetupError, UsageError } from './args';
import type { CommandEntry } from './commands/command';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, writeLine, type CliIo } from './io';

export type { CliIo, OutputStream } from './io';

const COMMANDS: CommandEntry[] = [
  {
    name: 'simulate',
    summary: 'replay traffic against ScaledObjects on a virtual clock and write a report',
    load: async () => (await import('./commands/simulate')).simulateCommand,
  },
  {
    name: 'validate',
    summary: 'check ScaledObject manifests as the scaler parses them',
    load: async () => (await import('./commands/validate')).validateCommand,
  },
  {
    name: 'dry-run',
    summary: 'show what the scaler would do now in a real cluster, changing nothing',
    load: async () => (await import('./commands/dry-run')).dryRunCommand,
  },
  {
    name: 'rbac',
    summary: 'print the Kubernetes RBAC the ScaledObjects need beyond deploy/rbac.yaml',
    load: async () => (await import('./commands/rbac')).rbacCommand,
  },
  {
    name: 'status',
    summary: 'show every ScaledObject the scaler manages, from its state table',
    load: async () => (await import('./commands/status')).statusCommand,
  },
];

function topLevelUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: eks-lambda-scaler <command> [options]',
    '',
    'KEDA-compatible autoscaling for EKS on AWS Lambda: try a ScaledObject before you deploy it.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}   ${c.summary}`),
    '',
    'Run `eks-lambda-scaler <command> --help` for a command\'s options.',
    'Exit codes: 0 ok, 1 findings (invalid manifests, failed objects), 2 usage error.',
    '',
    'Start here:  eks-lambda-scaler simulate examples/sqs-worker.yaml',
  ].join('\n');
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === 'version') {
    writeLine(io.stdout, `eks-lambda-scaler ${packageJson.version}`);
    return EXIT_OK;
  }
  if (name === 'help' && rest.length > 0) return help(rest, io);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    writeLine(name === undefined ? io.stderr : io.stdout, topLevelUsage());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    writeLine(io.stderr, `eks-lambda-scaler: unknown command "${name}" (the commands are ${COMMANDS.map((c) => c.name).join(', ')})\n`);
    writeLine(io.stderr, topLevelUsage());
    return EXIT_USAGE;
  }
  const command = await entry.load();
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      // As kubectl: the mistake, then where the options are, rather than the whole usage text.
      writeLine(io.stderr, `eks-lambda-scaler ${command.name}: ${error.message}`);
      writeLine(io.stderr, `See \`eks-lambda-scaler help ${command.name}\` for the options.`);
      return EXIT_USAGE;
    }
    if (error instanceof SetupError) {
      writeLine(io.stderr, `eks-lambda-scaler ${command.name}: ${error.message}`);
      return EXIT_USAGE;
    }
    writeLine(io.stderr, `eks-lambda-scaler ${command.name}: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_FINDINGS;
  }
}

/** `help <command>`: the command's own usage, as `<command> --help` prints it. */
async function help([name, ...extra]: string[], io: CliIo): Promise<number> {
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry || extra.length > 0) {
    writeLine(io.stderr, `eks-lambda-scaler help: ${entry ? 'give one command' : `unknown command "${name}"`} (the commands are ${COMMANDS.map((c) => c.name).join(', ')})`);
    return EXIT_USAGE;
  }
  writeLine(io.stdout, (await entry.load()).usage);
  return EXIT_OK;
}
