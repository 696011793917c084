/** CA's `random` expander (expander/random/random.go): one option, picked with the injected random source. */
import type { ExpansionOption, RandomSource } from './expansion-option';

export function randomExpander(random: RandomSource) {
  return (options: readonly ExpansionOption[]): ExpansionOption[] => {
    if (options.length === 0) return [];
    const drawn = random();
    // A source that strays outside [0, 1) still picks a real option, never undefined.
    const index = Number.isFinite(drawn) ? Math.min(options.length - 1, Math.max(0, Math.floor(drawn * options.length))) : 0;
    return [options[index]!];
  };
}
