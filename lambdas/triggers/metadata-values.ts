/**
 * KEDA's typed metadata rules (`pkg/scalers/scalersconfig/typed_config.go`), shared by every
 * trigger: values are trimmed, an empty value counts as absent, integers and floats are JSON
 * numbers, booleans follow Go's `strconv.ParseBool`. A parameter whose KEDA `order=` tag lists
 * `resolvedEnv` may also come from the target container's env through `<name>FromEnv` (the literal
 * wins); any other `<name>FromEnv` key is one KEDA never reads, and gets a warning. Every problem is collected, none thrown, so a user sees
 * all of a trigger's errors at once.
 */
import type { SpecIssue } from '../engine/spec/issues';
import type { TriggerParseInput } from './trigger-definition';

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);
// JSON number grammar: no leading '+', no leading zeros, digits on both sides of a '.'.
const JSON_INTEGER = /^-?(0|[1-9]\d*)$/;
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** Go's `strconv.ParseBool`; undefined when the text is not one of its accepted spellings. */
export function parseGoBool(text: string): boolean | undefined {
  if (GO_TRUE.has(text)) return true;
  if (GO_FALSE.has(text)) return false;
  return undefined;
}

/** A JSON integer that fits int64 (KEDA rejects "1.5", "1e3", "05", "+1"). */
export function parseStrictInteger(text: string): number | undefined {
  if (!JSON_INTEGER.test(text)) return undefined;
  const big = BigInt(text);
  if (big > INT64_MAX || big < INT64_MIN) return undefined;
  return Number(big);
}

/** A JSON number (KEDA accepts "1e3", rejects ".5", "5.", "+1", "NaN"). */
export function parseStrictFloat(text: string): number | undefined {
  if (!JSON_NUMBER.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

interface ValueOptions<T> {
  /** Used when the value is absent (or empty). */
  default?: T;
  /** Absent with no default is an error. */
  required?: boolean;
}

/** Where a value came from, for messages and for deferring `...FromEnv` checks to tick time. */
type Lookup =
  | { kind: 'absent' }
  | { kind: 'value'; text: string; field: string }
  | { kind: 'deferred-env'; envVar: string; field: string };

/**
 * Reads one trigger's metadata with KEDA's rules, recording errors and warnings as it goes.
 * Create one per trigger with {@link metadataReader}; call `finish(knownKeys)` at the end.
 */
export class MetadataReader {
  readonly errors: SpecIssue[] = [];
  readonly warnings: SpecIssue[] = [];
  /** Container env var names referenced through `...FromEnv`, by parameter name. */
  readonly envRefs: Record<string, string> = {};
  private readonly consulted = new Set<string>();

  constructor(
    private readonly input: TriggerParseInput,
    /** Parameters KEDA resolves from the container env (`order=...;resolvedEnv`). */
    private readonly envParams: ReadonlySet<string> = new Set(),
    /** Parameters KEDA also takes from the TriggerAuthentication (`order=...;authParams`). */
    private readonly authParamNames: ReadonlySet<string> = new Set(),
  ) {}

  /**
   * A parameter from the referenced TriggerAuthentication (KEDA's authParams): an `env` entry reads
   * the target container's env (deferred until it is known); a Secret or ConfigMap cannot be read,
   * which is an error saying where to put the value instead (`fix`).
   */
  authParam(name: string, fix: string): string | undefined {
    const found = this.authLookup(name, fix);
    return found.kind === 'value' ? found.text : undefined;
  }

  private authLookup(name: string, fix: string): Lookup | { kind: 'reported' } {
    const source = this.input.authParams?.[name];
    if (!source) return { kind: 'absent' };
    const where = 'the referenced TriggerAuthentication';
    if (source.from === 'awsSecretManager') {
      // Only credentials (new-relic's queryKey) are read at call time; a parameter the parse needs is not.
      this.error(name, `${name} comes from AWS Secrets Manager secret "${source.secretId}" of ${where}; the scaler reads secrets only for credentials (new-relic's queryKey), at call time, and needs ${name} when it parses the trigger`, fix);
      return { kind: 'reported' };
    }
    if (source.from !== 'env') {
      const kind = source.from === 'secret' ? 'Secret' : 'ConfigMap';
      this.error(name, `${name} comes from ${kind} "${source.name}" (key "${source.key}") of ${where}, which the scaler cannot read (objects are bundled at synth; ${kind}s are not)`, fix);
      return { kind: 'reported' };
    }
    if (source.containerName !== undefined) {
      this.error(name, `${name} comes from container env var ${source.envVar} of containerName "${source.containerName}" in ${where}; the scaler reads only the env of scaleTargetRef.envSourceContainerName (default: the first container)`, `remove containerName and set scaleTargetRef.envSourceContainerName to "${source.containerName}", or ${fix}`);
      return { kind: 'reported' };
    }
    this.envRefs[name] = source.envVar;
    if (this.input.resolvedEnv === undefined) return { kind: 'deferred-env', envVar: source.envVar, field: name };
    const value = this.input.resolvedEnv[source.envVar]?.trim();
    if (!value) {
      this.error(name, `container env var "${source.envVar}" (named for ${name} by ${where}) is not set or empty`, `define ${source.envVar} as a plain value in the target's container env, or ${fix}`);
      return { kind: 'reported' };
    }
    return { kind: 'value', text: value, field: name };
  }

  /** True when a `...FromEnv` value could not be checked yet (synth time, env unknown). */
  get hasDeferredEnv(): boolean {
    return this.input.resolvedEnv === undefined && Object.keys(this.envRefs).length > 0;
  }

  string(name: string, options: ValueOptions<string> & { required: true }): string;
  string(name: string, options?: ValueOptions<string>): string | undefined;
  string(name: string, options: ValueOptions<string> = {}): string | undefined {
    return this.typed(name, options, { kind: 'a non-empty string', example: 'a non-empty string' }, (text) => text);
  }

  int(name: string, options: ValueOptions<number> & { required: true }): number;
  int(name: string, options?: ValueOptions<number>): number | undefined;
  int(name: string, options: ValueOptions<number> = {}): number | undefined {
    return this.typed(name, options, { kind: 'a whole number', example: 'a whole number such as "5" (no decimals, exponent, sign "+" or leading zeros)' }, parseStrictInteger);
  }

  float(name: string, options: ValueOptions<number> & { required: true }): number;
  float(name: string, options?: ValueOptions<number>): number | undefined;
  float(name: string, options: ValueOptions<number> = {}): number | undefined {
    return this.typed(name, options, { kind: 'a number', example: 'a number such as "2.5" or "1e3"' }, parseStrictFloat);
  }

  bool(name: string, options: ValueOptions<boolean> & { required: true }): boolean;
  bool(name: string, options?: ValueOptions<boolean>): boolean | undefined;
  bool(name: string, options: ValueOptions<boolean> = {}): boolean | undefined {
    return this.typed(name, options, { kind: '"true" or "false"', example: '"true" or "false"' }, parseGoBool);
  }

  /** A separator-split list, each element trimmed (KEDA's slice rule). */
  list(name: string, separator: string, options: ValueOptions<string[]> = {}): string[] | undefined {
    const list = `a "${separator}"-separated list`;
    return this.typed(name, options, { kind: list, example: list }, (text) => text.split(separator).map((part) => part.trim()));
  }

  /** Raw presence check (after trimming), without consuming a typed value. */
  has(name: string): boolean {
    return this.lookup(name).kind !== 'absent';
  }

  /** Records an error on a metadata field. */
  error(name: string, message: string, fix?: string): void {
    this.errors.push(this.issue('error', name, message, fix));
  }

  /** Records a warning on a metadata field. */
  warn(name: string, message: string, fix?: string): void {
    this.warnings.push(this.issue('warning', name, message, fix));
  }

  /**
   * Warns about keys no parameter consulted (KEDA ignores them too), except those in `alsoKnown`
   * (e.g. deprecated or credential keys the trigger reports on separately).
   */
  finish(alsoKnown: readonly string[] = []): void {
    const known = new Set([...this.consulted, ...alsoKnown]);
    for (const key of Object.keys(this.input.metadata)) {
      const base = key.endsWith('FromEnv') ? key.slice(0, -'FromEnv'.length) : key;
      if (known.has(key) || alsoKnown.includes(base)) continue;
      if (base !== key && known.has(base)) {
        if (this.envParams.has(base)) continue;
        this.warn(key, `"${key}" is ignored: KEDA never reads ${base} from the container env (it reads metadata.${base} only)`, `set metadata.${base} directly and remove ${key}`);
        continue;
      }
      this.warn(key, `unknown parameter "${key}" is ignored`, 'check its spelling against the trigger documentation');
    }
  }

  /** `kind` names what was expected in the problem; `example` shows a valid value in the fix. */
  private typed<T>(name: string, options: ValueOptions<T>, expected: { kind: string; example: string }, convert: (text: string) => T | undefined): T | undefined {
    let found: Lookup | { kind: 'reported' } = this.lookup(name);
    if (found.kind === 'absent' && this.authParamNames.has(name)) found = this.authLookup(name, `set metadata.${name} on the trigger`);
    if (found.kind === 'reported') return undefined;
    if (found.kind === 'absent') {
      if (options.default !== undefined) return options.default;
      if (options.required) {
        const orFromEnv = this.envParams.has(name) ? ` (or ${name}FromEnv)` : '';
        this.error(name, `missing required parameter "${name}"`, `set metadata.${name}${orFromEnv} to ${expected.example}`);
      }
      return undefined;
    }
    if (found.kind === 'deferred-env') return options.default;
    const value = convert(found.text);
    if (value === undefined) {
      const source = found.field === name ? `metadata.${name}` : `the env var behind metadata.${found.field}`;
      this.error(found.field, `"${found.text}" is not ${expected.kind}`, `set ${source} to ${expected.example}`);
    }
    return value;
  }

  private lookup(name: string): Lookup {
    this.consulted.add(name);
    const direct = this.input.metadata[name]?.trim();
    if (direct) return { kind: 'value', text: direct, field: name };
    if (!this.envParams.has(name)) return { kind: 'absent' };
    const envKey = `${name}FromEnv`;
    const envVar = this.input.metadata[envKey]?.trim();
    if (!envVar) return { kind: 'absent' };
    this.envRefs[name] = envVar;
    if (this.input.resolvedEnv === undefined) return { kind: 'deferred-env', envVar, field: envKey };
    const fromEnv = this.input.resolvedEnv[envVar]?.trim();
    if (!fromEnv) {
      this.error(envKey, `container env var "${envVar}" is not set or empty`, `define ${envVar} as a plain value in the target's container env, or set metadata.${name} directly`);
      return { kind: 'absent' };
    }
    return { kind: 'value', text: fromEnv, field: envKey };
  }

  private issue(severity: SpecIssue['severity'], name: string, message: string, fix?: string): SpecIssue {
    return { severity, objectId: this.input.objectId, field: `${this.input.fieldPath}.${name}`, message, ...(fix ? { fix } : {}) };
  }
}

/**
 * `envParams`: the parameters KEDA reads from `<name>FromEnv` for this trigger type;
 * `authParamNames`: those it also takes from a TriggerAuthentication (after metadata).
 */
export function metadataReader(input: TriggerParseInput, envParams: readonly string[] = [], authParamNames: readonly string[] = []): MetadataReader {
  return new MetadataReader(input, new Set(envParams), new Set(authParamNames));
}

/** KEDA's `NormalizeString`: `/ . : % ( )` become `-` (used in metric names). */
export function normalizeMetricNamePart(text: string): string {
  return text.replace(/[/.:%()]/g, '-');
}
