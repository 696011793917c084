/**
 * `validate <paths...>`: parses ScaledObjects with the engine's parser and reports every problem
 * with its file, line, object, field and fix. `-o json` (or yaml) gives CI a stable document.
 */
import type { SpecIssue } from '../../lambdas/engine/spec/issues';
import { booleanFlag, COMMON_OPTIONS, FILENAME_OPTION, LIVE_CLUSTER_OPTIONS, liveClusterFlags, manifestPaths, namespaceFlag, outputFlag, parseCommandArgs, UsageError } from '../args';
import { isDocumentFormat, writeDocument } from '../format/document';
import { EXIT_FINDINGS, EXIT_OK, writeLine, type CliIo } from '../io';
import { formatManifestIssue, inNamespace, loadManifestFiles } from '../manifests';
import { describeScaledJob, scaledJobDocument } from './validate-scaled-jobs';
import type { CommandDefinition } from './command';

const USAGE = `Usage: eks-lambda-scaler validate <paths...> [-f PATH] [-o text|wide|json|yaml] [-n NS] [--strict]
       eks-lambda-scaler validate --cluster [--context NAME] [--kubeconfig PATH] [-n NS | -A]

Parses KEDA ScaledObject, ScaledJob (and TriggerAuthentication) manifests exactly as the scaler will, and
reports every problem with its file, line, object, field and how to fix it. With --cluster, the
live cluster's ScaledObjects, TriggerAuthentications and ClusterTriggerAuthentications instead
(one list of each, with your kubeconfig; nothing is changed).

Options:
  -f, --filename PATH  a file, a folder (read recursively) or - for stdin; repeatable, and the
                       same as naming PATH without -f. \`kubectl get so -o yaml\` output works.
  --cluster            read the objects from the cluster of your kubeconfig instead of files
  --context NAME       the kubeconfig context to use (default: its current context)
  --kubeconfig PATH    the kubeconfig (default: env KUBECONFIG, then ~/.kube/config)
  -o, --output F       text (default), wide (each trigger's metric and target), json or yaml:
                       one document for CI
  -n, --namespace NS   only the ScaledObjects of namespace NS
  -A, --all-namespaces every namespace (the default)
  --strict             treat warnings as errors
  -h, --help           show this help

Exit codes: 0 valid, 1 problems found, 2 usage error.`;

export const validateCommand: CommandDefinition = {
  name: 'validate',
  usage: USAGE,
  run: runValidate,
};

export async function runValidate(argv: string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs(argv, { ...COMMON_OPTIONS, ...FILENAME_OPTION, ...LIVE_CLUSTER_OPTIONS, strict: { type: 'boolean' } });
  if (booleanFlag(args, 'help')) {
    writeLine(io.stdout, USAGE);
    return EXIT_OK;
  }
  const output = outputFlag(args);
  const namespace = namespaceFlag(args);
  const strict = booleanFlag(args, 'strict');
  const live = liveClusterFlags(args, namespace);
  const paths = manifestPaths(args);
  if (live && paths.length > 0) throw new UsageError('give files or --cluster, not both');
  if (!live && paths.length === 0) throw new UsageError('validate needs at least one file, folder or - (stdin), e.g. validate examples/, or --cluster');

  // The Kubernetes client is loaded only for --cluster (CLI start-up, bench/cli-start.ts).
  const loaded = live ? await (await import('../cluster-objects')).loadClusterManifests(io, live, { strict }) : await loadManifestFiles(paths, io, { strict });
  const sources = live ? loaded.files : paths;
  const { kept: objects, leftOut: objectsLeftOut } = inNamespace(loaded.objects, namespace);
  const { kept: scaledJobs, leftOut: jobsLeftOut } = inNamespace(loaded.scaledJobs, namespace);
  const leftOut = objectsLeftOut + jobsLeftOut;
  const errors: SpecIssue[] = [...loaded.errors, ...(strict ? loaded.warnings.map((w) => ({ ...w, severity: 'error' as const })) : [])];
  const warnings = strict ? [] : loaded.warnings;
  if (loaded.objects.length === 0 && loaded.scaledJobs.length === 0 && errors.length === 0) {
    errors.push({
      severity: 'error',
      objectId: sources.join(', '),
      field: 'kind',
      message: 'no ScaledObject or ScaledJob found',
      fix: live ? `the cluster has none${namespace ? ` in namespace ${namespace}` : ''}: apply one, or check --context` : 'give files with documents of apiVersion keda.sh/v1alpha1, kind ScaledObject or ScaledJob',
    });
  }
  const ok = errors.length === 0;

  if (isDocumentFormat(output)) {
    const document = {
      ok,
      files: sources,
      objects: objects.map(({ object, file }) => ({
        id: object.id,
        file,
        ...(object.cluster ? { cluster: object.cluster } : {}),
        scaleTargetRef: object.scaleTargetRef,
        minReplicaCount: object.minReplicaCount,
        maxReplicaCount: object.maxReplicaCount,
        triggers: object.triggers.map((t) => ({ type: t.type, metricName: t.metricName, metricType: t.metricType, target: t.target })),
      })),
      scaledJobs: scaledJobs.map(scaledJobDocument),
      errors,
      warnings,
    };
    writeDocument(io.stdout, output, document);
    return ok ? EXIT_OK : EXIT_FINDINGS;
  }

  for (const issue of [...errors, ...warnings]) writeLine(ok ? io.stdout : io.stderr, formatManifestIssue(issue));
  for (const { object, file } of objects) {
    const triggers = object.triggers
      .map((t) => (output === 'wide' ? `${t.type} ${t.metricName} ${t.metricType} ${t.target}` : t.type))
      .join(', ');
    writeLine(
      io.stdout,
      `ok  ${object.id}  (${file}: ${object.scaleTargetRef.kind} ${object.scaleTargetRef.name}, ${object.minReplicaCount}-${object.maxReplicaCount} replicas, ${triggers})`,
    );
  }
  for (const loadedJob of scaledJobs) writeLine(io.stdout, describeScaledJob(loadedJob, output === 'wide'));
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const elsewhere = leftOut > 0 ? ` (${leftOut} in other namespaces left out by -n ${namespace})` : '';
  const where = live ? sources.join(', ') : plural(loaded.files.length, 'file');
  const kinds = scaledJobs.length === 0 ? plural(objects.length, 'ScaledObject') : objects.length === 0 ? plural(scaledJobs.length, 'ScaledJob') : `${plural(objects.length, 'ScaledObject')} and ${plural(scaledJobs.length, 'ScaledJob')}`;
  const counts = `${kinds} in ${where}${elsewhere}: ${plural(errors.length, 'error')}, ${plural(warnings.length, 'warning')}`;
  writeLine(ok ? io.stdout : io.stderr, counts);
  return ok ? EXIT_OK : EXIT_FINDINGS;
}
