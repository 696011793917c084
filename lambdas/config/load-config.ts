/**
 * Loads the ScalerConfig the CDK construct bundled beside the handler (validated at synth time).
 * Read once per container: the configuration changes only with a deployment.
 *
 * A deployment with more objects than one invocation evaluates also ships one slice per shard
 * (`scaler-config-shards/shard-<n>.json`, the same configuration with only that shard's objects),
 * so a shard invocation parses its 1,000 objects instead of the whole fleet.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ScalerConfig } from './scaler-config';

export function configFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.SCALER_CONFIG_FILE ?? join(env.LAMBDA_TASK_ROOT ?? process.cwd(), 'scaler-config.json');
}

export function loadConfig(path: string = configFilePath()): ScalerConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the scaler configuration at ${path} (${(error as Error).message}); it is written by the CDK construct at synth time, or set SCALER_CONFIG_FILE`, { cause: error });
  }
  const config = JSON.parse(text) as ScalerConfig;
  if (!config.defaultCluster || !Array.isArray(config.scaledObjects)) {
    throw new Error(`${path} is not a scaler configuration: expected defaultCluster and scaledObjects`);
  }
  return config;
}

/** Directory of the per-shard slices, beside the configuration file. */
export const CONFIG_SHARDS_DIRECTORY = 'scaler-config-shards';

export function shardConfigPath(shard: number, env: NodeJS.ProcessEnv = process.env): string {
  return join(dirname(configFilePath(env)), CONFIG_SHARDS_DIRECTORY, `shard-${shard}.json`);
}

/**
 * The slice of shard `shard` when it was bundled and holds every object the shard event names;
 * undefined otherwise (no slices, or the slices were cut for another shard size), and the caller
 * loads the whole configuration.
 */
export function loadShardConfig(shard: number, objectKeys: readonly string[], keyOf: (config: ScalerConfig) => Set<string>, env: NodeJS.ProcessEnv = process.env): ScalerConfig | undefined {
  const path = shardConfigPath(shard, env);
  if (!Number.isInteger(shard) || shard < 0 || !existsSync(path)) return undefined;
  const slice = loadConfig(path);
  const keys = keyOf(slice);
  return objectKeys.every((key) => keys.has(key)) ? slice : undefined;
}
