/**
 * Appends `items` to `target`. `target.push(...items)` passes every item as a call argument and
 * overflows the stack past roughly 120 000 items; input sizes here come from users and AWS.
 */
export function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}
