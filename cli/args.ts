/**
 * Argument parsing shared by the commands: node:util's strict parser, with every mistake turned
 * into a UsageError that names the flag and the fix (exit code 2), and the small value types the
 * commands share (durations, counts).
 */
import { parseArgs } from 'node:util';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * The command line is right but the environment is not ready (no credentials, say): exit 2 like a
 * usage error, with one message that names the fix and without the whole usage text.
 */
export class SetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SetupError';
  }
}

type OptionSpec = { type: 'string' | 'boolean'; short?: string; multiple?: boolean };
export type OptionSpecs = Record<string, OptionSpec>;

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Parses `argv` against `options`; unknown flags and missing values become UsageErrors. */
export function parseCommandArgs(argv: string[], options: OptionSpecs): ParsedArgs {
  const specs: OptionSpecs = { help: { type: 'boolean', short: 'h' }, ...options };
  try {
    const { values, positionals } = parseArgs({
      args: joinDashedValues(argv, specs),
      options: specs,
      allowPositionals: true,
      strict: true,
    });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (error) {
    throw new UsageError(describeParseError(error));
  }
}

/**
 * `--rate -1` and `-n -x`: node:util refuses a value that starts with a dash as ambiguous. A
 * string option always takes the next word, so the two are joined (`--rate=-1`) and the value
 * checks below reject the value in our own words. A lone `-` (stdin) is a value as well.
 */
function joinDashedValues(argv: string[], specs: OptionSpecs): string[] {
  const stringOption = (word: string): boolean => {
    if (word.startsWith('--')) return specs[word.slice(2)]?.type === 'string';
    if (/^-[A-Za-z]$/.test(word)) return Object.values(specs).some((spec) => spec.short === word[1] && spec.type === 'string');
    return false;
  };
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    const next = argv[i + 1];
    if (word === '--') {
      joined.push(...argv.slice(i));
      break;
    }
    if (next !== undefined && next.startsWith('-') && stringOption(word)) {
      joined.push(`${word}${word.startsWith('--') ? '=' : ''}${next}`);
      i++;
    } else {
      joined.push(word);
    }
  }
  return joined;
}

function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // node:util's messages are long and mention its own option names; keep the part a person needs.
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = /Option '([^']+)' argument missing/.exec(message);
  if (missing) return `option ${missing[1].split(',').pop()?.trim()} needs a value`;
  const unexpected = /Option '([^']+)' does not take an argument/.exec(message);
  if (unexpected) return `option ${unexpected[1].split(',').pop()?.trim()} takes no value`;
  // Anything else node:util might say is still a usage error; its text is not shown.
  return 'the command line could not be read (run with --help for the options)';
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function booleanFlag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** One of a fixed set of words, e.g. `--output text|json`. */
export function choiceFlag<T extends string>(args: ParsedArgs, name: string, choices: readonly T[], fallback: T): T {
  const value = stringFlag(args, name);
  if (value === undefined) return fallback;
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} must be one of ${choices.join(', ')} (got "${value}")`);
}

/** A whole number >= min (and <= max), e.g. `--pods-per-node 4`. */
export function integerFlag(args: ParsedArgs, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const value = stringFlag(args, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''} (got "${value}")`);
  }
  return Number(value);
}

/** A number > 0, e.g. `--msgs-per-pod-second 2.5`. */
export function positiveNumberFlag(args: ParsedArgs, name: string, fallback: number): number {
  const value = stringFlag(args, name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed <= 0) {
    throw new UsageError(`--${name} must be a number greater than 0 (got "${value}")`);
  }
  return parsed;
}

/** How results are printed, as kubectl's `-o`: text (default), wide, json or yaml. */
export type OutputFormat = 'text' | 'wide' | 'json' | 'yaml';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'wide', 'json', 'yaml'];

/** `-o/--output` and the namespace selection (`-n/--namespace`, `-A/--all-namespaces`), shared by every command. */
export const COMMON_OPTIONS = {
  output: { type: 'string', short: 'o' },
  namespace: { type: 'string', short: 'n' },
  'all-namespaces': { type: 'boolean', short: 'A' },
} as const satisfies OptionSpecs;

/** `-f/--filename`, repeatable, as kubectl: a file, a folder (read recursively) or `-` for stdin. */
export const FILENAME_OPTION = { filename: { type: 'string', short: 'f', multiple: true } } as const satisfies OptionSpecs;

export function outputFlag(args: ParsedArgs): OutputFormat {
  return choiceFlag(args, 'output', OUTPUT_FORMATS, 'text');
}

/** The namespace to keep, or undefined for every namespace (`-A`, or no `-n`). */
export function namespaceFlag(args: ParsedArgs): string | undefined {
  const namespace = stringFlag(args, 'namespace');
  if (namespace !== undefined && booleanFlag(args, 'all-namespaces')) {
    throw new UsageError('give either -n/--namespace NAME or -A/--all-namespaces, not both');
  }
  if (namespace !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) {
    throw new UsageError(`-n/--namespace must be a Kubernetes namespace name: lower-case letters, digits and '-' (got "${namespace}")`);
  }
  return namespace;
}

/** The manifest paths: positionals and every `-f`, in the order given. */
export function manifestPaths(args: ParsedArgs): string[] {
  const named = args.values.filename;
  return [...args.positionals, ...(Array.isArray(named) ? named : [])];
}

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `90m`, `2h`, `1h30m`, `45s` to milliseconds; undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(?:\.\d+)?(ms|h|m|s))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const match of trimmed.matchAll(DURATION_PART)) total += Number(match[1]) * UNIT_MS[match[2]!]!;
  return total;
}

export function durationFlag(args: ParsedArgs, name: string, fallback: number | undefined): number | undefined {
  const value = stringFlag(args, name);
  if (value === undefined) return fallback;
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) {
    throw new UsageError(`--${name} must be a duration such as 30s, 90m, 2h or 1h30m (got "${value}")`);
  }
  return ms;
}

/** `5400000` ms as `1h30m`, `90000` as `1m30s`: how durations are printed back. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const parts: string[] = [];
  if (hours) parts.push(`${hours}h`);
  if (minutes) parts.push(`${minutes}m`);
  if (seconds || parts.length === 0) parts.push(`${seconds}s`);
  return parts.join('');
}

/**
 * `--cluster` (read the live cluster's objects instead of files or the state table) with kubectl's
 * `--context` and `--kubeconfig`. Used by `validate` and `status`; `dry-run --cluster NAME` is the
 * EKS cluster of its targets and keeps its own option.
 */
export const LIVE_CLUSTER_OPTIONS = {
  cluster: { type: 'boolean' },
  context: { type: 'string' },
  kubeconfig: { type: 'string' },
} as const satisfies OptionSpecs;

/** The kubeconfig selection when `--cluster` is given; a usage error for `--context` without it. */
export function liveClusterFlags(args: ParsedArgs, namespace: string | undefined): { kubeconfig?: string; context?: string; namespace?: string } | undefined {
  const context = stringFlag(args, 'context');
  const kubeconfig = stringFlag(args, 'kubeconfig');
  if (!booleanFlag(args, 'cluster')) {
    if (context !== undefined || kubeconfig !== undefined) throw new UsageError('--context and --kubeconfig choose the cluster that --cluster reads: add --cluster');
    return undefined;
  }
  return {
    ...(kubeconfig === undefined ? {} : { kubeconfig }),
    ...(context === undefined ? {} : { context }),
    ...(namespace === undefined ? {} : { namespace }),
  };
}
