/**
 * Which configuration an invocation needs: a shard event needs only its shard's slice, when the
 * construct bundled one; everything else (the scheduled tick that plans the shards and restores
 * removed objects, alarm events that match any object) needs the whole fleet. The handler keeps
 * one runtime per scope, so a container that only ever serves shard 3 never parses the rest.
 */
import { existsSync } from 'node:fs';
import type { ScalerConfig } from '../config/scaler-config';
import { loadShardConfig, shardConfigPath } from '../config/load-config';
import { classifyEvent } from './invocation-event';
import { objectKey } from './object-key';

export interface ConfigScope {
  /** `fleet`, or `shard-<n>`. */
  key: string;
  /** The slice; undefined means the whole configuration (also when the slice does not cover the event). */
  load(): ScalerConfig | undefined;
}

export const FLEET_SCOPE: ConfigScope = { key: 'fleet', load: () => undefined };

export function configScopeOf(rawEvent: unknown, env: NodeJS.ProcessEnv = process.env): ConfigScope {
  const event = classifyEvent(rawEvent);
  if (event.kind !== 'shard' || !existsSync(shardConfigPath(event.shard, env))) return FLEET_SCOPE;
  const keysOf = (config: ScalerConfig) => new Set(config.scaledObjects.map((object) => objectKey(object, config)));
  return { key: `shard-${event.shard}`, load: () => loadShardConfig(event.shard, event.objectIds, keysOf, env) };
}
