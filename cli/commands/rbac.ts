/**
 * `rbac <paths...>`: prints the Kubernetes RBAC the ScaledObjects and ScaledJobs need beyond deploy/rbac.yaml,
 * derived from their triggers (lib/permissions/trigger-rbac.ts): `get` on `services/proxy` for the
 * in-cluster Prometheus Services that prometheus triggers name, and `get` on the Secrets that hold
 * new-relic query keys, by namespace and by name. Pipe it to `kubectl apply -f -`.
 */
import { deriveTriggerRbac, triggerRbacYaml } from '../../lib/permissions/trigger-rbac';
import { booleanFlag, FILENAME_OPTION, manifestPaths, parseCommandArgs, UsageError } from '../args';
import { EXIT_FINDINGS, EXIT_OK, writeLine, type CliIo } from '../io';
import { formatManifestIssue, loadManifestFiles } from '../manifests';
import type { CommandDefinition } from './command';

const USAGE = `Usage: eks-lambda-scaler rbac <paths...> [-f PATH]

Prints the Roles and RoleBindings the pod scaler's Kubernetes group (eks-lambda-scaler) needs for
these ScaledObjects beyond deploy/rbac.yaml, only in the namespaces concerned and only by name:
get on services/proxy for the in-cluster Prometheus Services and ports that prometheus triggers name,
and get on the Secrets that TriggerAuthentications name for new-relic query keys.
Apply it with: eks-lambda-scaler rbac k8s/scaledobjects/ | kubectl apply -f -

Options:
  -f, --filename PATH  a file, a folder (read recursively) or - for stdin; repeatable
  -h, --help           show this help

Exit codes: 0 printed (nothing when no trigger needs it), 1 the manifests have errors, 2 usage error.`;

export const rbacCommand: CommandDefinition = {
  name: 'rbac',
  usage: USAGE,
  run: runRbac,
};

async function runRbac(argv: string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs(argv, { ...FILENAME_OPTION });
  if (booleanFlag(args, 'help')) {
    writeLine(io.stdout, USAGE);
    return EXIT_OK;
  }
  const paths = manifestPaths(args);
  if (paths.length === 0) throw new UsageError('rbac needs at least one file, folder or - (stdin), e.g. rbac k8s/scaledobjects/');
  const loaded = await loadManifestFiles(paths, io);
  if (loaded.errors.length > 0) {
    for (const issue of loaded.errors) writeLine(io.stderr, formatManifestIssue(issue));
    writeLine(io.stderr, 'fix these errors first: the RBAC is derived from valid ScaledObjects only');
    return EXIT_FINDINGS;
  }
  // ScaledJobs' triggers read the same way; their Jobs' own RBAC (jobs.batch) is in deploy/rbac.yaml.
  const grants = deriveTriggerRbac([...loaded.objects.map(({ object }) => object), ...loaded.scaledJobs.map(({ job }) => job)]);
  if (grants.length === 0) {
    writeLine(io.stderr, 'no trigger needs RBAC beyond deploy/rbac.yaml (no in-cluster Prometheus Service, no new-relic query key in a Secret)');
    return EXIT_OK;
  }
  io.stdout.write(triggerRbacYaml(grants));
  return EXIT_OK;
}
