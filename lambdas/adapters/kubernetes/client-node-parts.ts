/**
 * The parts of @kubernetes/client-node the scalers use, imported from their own modules instead of
 * the package index. The index loads every API group, attach/exec/cp/port-forward (ws, tar), the
 * YAML helpers and the informers; esbuild keeps most of that in the Lambda bundle because the index
 * re-exports modules with side effects. Importing only these shrinks the bundle and the cold start
 * (bench/cold-start.ts, docs/performance.md). The package has no `exports` map, so these paths are
 * public files of the pinned version (2.0.1); a version bump must keep them resolving (tsc checks).
 * Types keep coming from the index: type imports are erased.
 */
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
export {
  ObjectAppsV1Api as AppsV1Api,
  ObjectAutoscalingV2Api as AutoscalingV2Api,
  ObjectCoreV1Api as CoreV1Api,
  ObjectCustomObjectsApi as CustomObjectsApi,
  ObjectPolicyV1Api as PolicyV1Api,
} from '@kubernetes/client-node/dist/gen/types/ObjectParamAPI.js';
export { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js';
export { ResponseContext } from '@kubernetes/client-node/dist/gen/http/http.js';
export { PatchStrategy } from '@kubernetes/client-node/dist/patch.js';
export { setHeaderOptions } from '@kubernetes/client-node/dist/middleware.js';
