/**
 * Each shard loads only its slice of the configuration: the construct writes one slice per shard
 * (the shards the scheduled tick plans, in the same order), a shard event's scope loads that slice,
 * and the handler keeps one runtime per scope, so a container serving shards never parses the fleet.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeScalerConfig } from '../../lib/config-bundle';
import { MemoryStateStore } from '../../lambdas/adapters/state/memory-state-store';
import type { ScalerConfig } from '../../lambdas/config/scaler-config';
import type { ScaledObject } from '../../lambdas/engine/spec/scaled-object';
import { configScopeOf, type ConfigScope } from '../../lambdas/pod-scaler/config-scope';
import { createPodScalerHandler } from '../../lambdas/pod-scaler/handler';
import { SHARD_EVENT_SOURCE } from '../../lambdas/pod-scaler/invocation-event';
import { objectKey } from '../../lambdas/pod-scaler/object-key';
import type { InvocationRuntime } from '../../lambdas/pod-scaler/run-invocation';
import { planShards } from '../../lambdas/pod-scaler/shards';
import { systemClock } from '../../lambdas/util/system-clock';
import { configFrom } from './harness';

const template = configFrom(`apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: template, namespace: shop}
spec:
  scaleTargetRef: {name: template}
  triggers:
    - type: cron
      metadata: {timezone: UTC, start: "0 8 * * *", end: "0 18 * * *", desiredReplicas: "2"}
`);

function fleetConfig(size: number): ScalerConfig {
  const [object] = template.scaledObjects as [ScaledObject];
  const scaledObjects = Array.from({ length: size }, (_, index) => ({ ...object, name: `app-${index}`, id: `shop/app-${index}`, namespace: 'shop' }));
  return { ...template, scaledObjects };
}

/** Written as the bundle holds it: scaler-config.json and scaler-config-shards/ side by side. */
function bundled(config: ScalerConfig) {
  const directory = mkdtempSync(join(tmpdir(), 'scaler-config-'));
  const written = writeScalerConfig(config, directory, 'scaler-config');
  return { written, env: { SCALER_CONFIG_FILE: written.file } };
}

const keysOf = (config: ScalerConfig) => config.scaledObjects.map((object) => objectKey(object, config));
const shardEvent = (shard: number, objectIds: string[]) => ({ source: SHARD_EVENT_SOURCE, shard, of: 3, objectIds });

describe('config slices', () => {
  const config = fleetConfig(2500);
  const shards = planShards(keysOf(config), 1000);
  const { written, env } = bundled(config);

  it('are written one per shard, in the order the scheduled tick plans the shards', () => {
    expect(written.shardsDirectory).toBe(join(written.file, '..', 'scaler-config-shards'));
    for (const [shard, keys] of shards.entries()) {
      const scope = configScopeOf(shardEvent(shard, keys), env);
      expect(scope.key).toBe(`shard-${shard}`);
      expect(keysOf(scope.load()!)).toEqual(keys);
    }
    expect(shards.map((keys) => keys.length)).toEqual([1000, 1000, 500]);
  });

  it('give a shard event its own objects only; other events and uncovered objects get the whole fleet', () => {
    expect(configScopeOf({ source: 'aws.scheduler' }, env).key).toBe('fleet');
    expect(configScopeOf(shardEvent(1, shards[1]!), env).load()?.scaledObjects).toHaveLength(1000);
    // Slices cut for another shard size do not cover the event: the whole configuration is used.
    expect(configScopeOf(shardEvent(1, [shards[0]![0]!]), env).load()).toBeUndefined();
    expect(configScopeOf(shardEvent(7, ['x']), env).key).toBe('fleet');
  });

  it('are not written when one invocation takes every object', () => {
    const small = bundled(fleetConfig(1000));
    expect(small.written.shardsDirectory).toBeUndefined();
    expect(configScopeOf(shardEvent(0, ['test-cluster/shop/app-0']), small.env).key).toBe('fleet');
  });
});

describe('the handler', () => {
  it('builds one runtime per scope and reuses it', async () => {
    const built: string[] = [];
    const runtime = (config: ScalerConfig): InvocationRuntime => ({
      tick: {
        config,
        clock: systemClock,
        stateStore: new MemoryStateStore(),
        scaleTargets: () => Promise.reject(new Error('not used')),
        readTriggers: async () => ({ readings: new Map(), calls: {} }),
      },
      maxObjectsPerInvocation: 1000,
      invokeShard: async () => undefined,
    });
    const scopeOf = (event: unknown): ConfigScope => {
      const shard = (event as { shard?: number }).shard;
      return shard === undefined ? { key: 'fleet', load: () => undefined } : { key: `shard-${shard}`, load: () => undefined };
    };
    const handler = createPodScalerHandler(
      async (scope) => {
        built.push(scope.key);
        return runtime(fleetConfig(0));
      },
      undefined,
      scopeOf,
    );
    for (const event of [shardEvent(1, []), shardEvent(1, []), { source: 'aws.scheduler' }, shardEvent(2, []), { source: 'aws.scheduler' }]) {
      await handler(event, { getRemainingTimeInMillis: () => 10_000 });
    }
    expect(built).toEqual(['shard-1', 'fleet', 'shard-2']);
  });
});
