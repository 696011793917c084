/**
 * An esbuild plugin that lets the Lambda bundles leave out @kubernetes/client-node's generated model
 * classes (about 760 of them, 340 KB of the pod scaler's minified bundle) when nothing uses them.
 *
 * Why a plugin: KubeConfig (dist/config.js) imports `createConfiguration` from the generated
 * package index (dist/gen/index.js), which re-exports every model. Each model module ends in
 * top-level assignments (`V1Pod.attributeTypeMap = [...]`), which esbuild must treat as side effects
 * because the package does not say otherwise (its package.json has no `sideEffects`), so all of them
 * were bundled, compiled and run at every cold start. They are plain data holders: marking them free
 * of side effects keeps every model some bundled code refers to (the node scaler's API classes and
 * ObjectSerializer refer to all of them) and drops the rest. `--alias` cannot do this (it redirects
 * package paths, and dist/gen/index.js is a relative import), so the construct bundles through
 * esbuild's JS API (lib/bundle/build-lambda.mjs) instead of NodejsFunction's command line.
 */

import { join } from 'node:path';

/** An import path that can name a model module: `./models/X.js` or `../models/X.js`. */
const MODEL_IMPORT = /^\.\.?\/(?:.*\/)?models\/[A-Za-z0-9_]+\.js$/;
/** A model module of client-node's generated code. */
const MODEL_MODULE = /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]gen[\\/]models[\\/][^\\/]+\.js$/;
/**
 * Code that imports model modules: the generated package index, models/all.js, ObjectSerializer.
 * (dist/serializer.js also imports ObjectSerializer.js, from outside gen/, and esbuild keeps the
 * flag of whichever import reaches a file first: harmless, as its top level is as plain.)
 */
const GENERATED_CODE = /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]gen[\\/]/;

export const clientNodeModelsWithoutSideEffects = {
  name: 'client-node-models-without-side-effects',
  setup(build) {
    // esbuild tests `filter` in Go, so only model imports cost a call into JS. The path is joined
    // here rather than asked of `build.resolve`: the generated code names each file exactly, and a
    // resolve round trip for each model import (about 1,500 in the pod scaler) made a bundle 2 s -> 14 s.
    build.onResolve({ filter: MODEL_IMPORT }, (args) => {
      if (!GENERATED_CODE.test(args.importer)) return undefined;
      const path = join(args.resolveDir, args.path);
      return MODEL_MODULE.test(path) ? { path, sideEffects: false } : undefined;
    });
  },
};
