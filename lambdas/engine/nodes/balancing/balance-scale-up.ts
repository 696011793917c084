/**
 * Splitting new nodes across similar groups as CA's BalancingNodeGroupSetProcessor does
 * (processors/nodegroupset/balancing_processor.go): each node goes to the group that is smallest at
 * that moment, a group at its max size takes no more, and when the groups together have less room
 * than asked, the request is cut to that room.
 */
export interface GroupSize {
  group: string;
  currentSize: number;
  maxSize: number;
}

export interface BalancedScaleUp {
  group: string;
  currentSize: number;
  newSize: number;
}

/** The groups that grow, in the order given; groups that get nothing are left out. */
export function balanceScaleUp(groups: readonly GroupSize[], newNodes: number): BalancedScaleUp[] {
  const sizes = groups.map((group) => ({ ...group, newSize: group.currentSize }));
  for (let left = newNodes; left > 0; left -= 1) {
    let smallest: (typeof sizes)[number] | undefined;
    for (const candidate of sizes) {
      if (candidate.newSize >= candidate.maxSize) continue;
      if (!smallest || candidate.newSize < smallest.newSize) smallest = candidate;
    }
    if (!smallest) break;
    smallest.newSize += 1;
  }
  return sizes.filter((size) => size.newSize !== size.currentSize).map(({ group, currentSize, newSize }) => ({ group, currentSize, newSize }));
}
