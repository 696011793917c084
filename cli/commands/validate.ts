/**
 * `validate <files...>`: parses ScaledObjects with the engine's parser and reports every problem
 * with its file, line, object, field and fix. `--output json` gives CI a stable document.
 */
import { formatIssue, type SpecIssue } from '../../lambdas/engine/spec/issues';
import { booleanFlag, choiceFlag, parseCommandArgs, UsageError } from '../args';
import { EXIT_FINDINGS, EXIT_OK, writeLine, type CliIo } from '../io';
import { loadManifestFiles } from '../manifests';
import type { CommandDefinition } from './command';

const USAGE = `Usage: eks-lambda-scaler validate <files...> [--output text|json] [--strict]

Parses KEDA ScaledObject (and TriggerAuthentication) manifests exactly as the scaler will, and
reports every problem with its file, line, object, field and how to fix it.

Options:
  --output text|json   json: one document for CI (default text)
  --strict             treat warnings as errors
  -h, --help           show this help

Exit codes: 0 valid, 1 problems found, 2 usage error.`;

export const validateCommand: CommandDefinition = {
  name: 'validate',
  summary: 'check ScaledObject manifests as the scaler parses them',
  usage: USAGE,
  run: runValidate,
};

export async function runValidate(argv: string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs(argv, { output: { type: 'string' }, strict: { type: 'boolean' } });
  if (booleanFlag(args, 'help')) {
    writeLine(io.stdout, USAGE);
    return EXIT_OK;
  }
  const output = choiceFlag(args, 'output', ['text', 'json'] as const, 'text');
  const strict = booleanFlag(args, 'strict');
  if (args.positionals.length === 0) throw new UsageError('validate needs at least one file');

  const loaded = await loadManifestFiles(args.positionals, io.cwd, { strict });
  const errors: SpecIssue[] = [...loaded.errors, ...(strict ? loaded.warnings.map((w) => ({ ...w, severity: 'error' as const })) : [])];
  const warnings = strict ? [] : loaded.warnings;
  if (loaded.objects.length === 0 && errors.length === 0) {
    errors.push({
      severity: 'error',
      objectId: args.positionals.join(', '),
      field: 'kind',
      message: 'no ScaledObject found',
      fix: 'give files with documents of apiVersion keda.sh/v1alpha1, kind ScaledObject',
    });
  }
  const ok = errors.length === 0;

  if (output === 'json') {
    const document = {
      ok,
      files: args.positionals,
      objects: loaded.objects.map(({ object, file }) => ({
        id: object.id,
        file,
        ...(object.cluster ? { cluster: object.cluster } : {}),
        scaleTargetRef: object.scaleTargetRef,
        minReplicaCount: object.minReplicaCount,
        maxReplicaCount: object.maxReplicaCount,
        triggers: object.triggers.map((t) => ({ type: t.type, metricName: t.metricName, metricType: t.metricType, target: t.target })),
      })),
      errors,
      warnings,
    };
    writeLine(io.stdout, JSON.stringify(document, null, 2));
    return ok ? EXIT_OK : EXIT_FINDINGS;
  }

  for (const issue of [...errors, ...warnings]) writeLine(ok ? io.stdout : io.stderr, formatIssue(issue));
  for (const { object, file } of loaded.objects) {
    const triggers = object.triggers.map((t) => t.type).join(', ');
    writeLine(
      io.stdout,
      `ok  ${object.id}  (${file}: ${object.scaleTargetRef.kind} ${object.scaleTargetRef.name}, ${object.minReplicaCount}-${object.maxReplicaCount} replicas, ${triggers})`,
    );
  }
  const counts = `${loaded.objects.length} ScaledObject${loaded.objects.length === 1 ? '' : 's'} in ${args.positionals.length} file${args.positionals.length === 1 ? '' : 's'}: ${errors.length} error${errors.length === 1 ? '' : 's'}, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`;
  writeLine(ok ? io.stdout : io.stderr, counts);
  return ok ? EXIT_OK : EXIT_FINDINGS;
}
