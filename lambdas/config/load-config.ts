/**
 * Loads the ScalerConfig the CDK construct bundled beside the handler (validated at synth time).
 * Read once per container: the configuration changes only with a deployment.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
