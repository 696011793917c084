/**
 * Splits the configured objects into shards of at most `maxPerInvocation`, so a deployment with
 * more objects than one invocation can evaluate inside its polling slot fans out to concurrent
 * invocations of the same function. Contiguous ranges keep objects that share a cluster (and
 * usually queues) in one shard, where the read plan can deduplicate their reads. Pure.
 */
/**
 * Objects one invocation evaluates before the scheduled tick fans out to shards. bench/tick-cost
 * measures a pass over 1,000 objects at 3.1 s wall, about 7 s on the CPU share of the construct's
 * default 512 MB Lambda: inside the 15 s between passes (docs/performance.md). The construct cuts
 * the bundled configuration into slices of this size, one per shard.
 */
export const DEFAULT_MAX_OBJECTS_PER_INVOCATION = 1000;

export function planShards(ids: readonly string[], maxPerInvocation: number): string[][] {
  const size = Math.max(1, Math.floor(maxPerInvocation));
  const shards: string[][] = [];
  for (let start = 0; start < ids.length; start += size) shards.push(ids.slice(start, start + size));
  return shards;
}
