/**
 * Splits the configured objects into shards of at most `maxPerInvocation`, so a deployment with
 * more objects than one invocation can evaluate inside its polling slot fans out to concurrent
 * invocations of the same function. Contiguous ranges keep objects that share a cluster (and
 * usually queues) in one shard, where the read plan can deduplicate their reads. Pure.
 */
export function planShards(ids: readonly string[], maxPerInvocation: number): string[][] {
  const size = Math.max(1, Math.floor(maxPerInvocation));
  const shards: string[][] = [];
  for (let start = 0; start < ids.length; start += size) shards.push(ids.slice(start, start + size));
  return shards;
}
