/**
 * Construct ids from ScaledObject and node group keys (`cluster/namespace/name`): readable and stable
 * when objects are added or reordered, so CloudFormation does not replace every alarm on each change.
 */
export function constructIdsFor(keys: readonly string[]): string[] {
  const used = new Set<string>();
  return keys.map((key) => {
    const base = key.replace(/[^A-Za-z0-9-]/g, '-');
    let id = base;
    for (let n = 2; used.has(id); n += 1) id = `${base}-${n}`;
    used.add(id);
    return id;
  });
}
