/**
 * Kubernetes resource quantities ("250m", "1.5", "512Mi", "2G") turned into the integers the
 * bin-packing works in: CPU in millicores, memory in bytes. Unparseable values throw, naming the
 * value, because a silently-zero request would make the planner pack too many pods per node.
 */
const BINARY_SUFFIXES: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL_SUFFIXES: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:[eE]([+-]?\d+))?(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;

/** The quantity's value in base units (cores for CPU, bytes for memory, a count for pods). */
export function parseQuantity(raw: string | number): number {
  if (typeof raw === 'number') return raw;
  const text = raw.trim();
  const match = QUANTITY.exec(text);
  if (!match) throw new Error(`"${raw}" is not a Kubernetes quantity (examples: "250m", "1", "512Mi", "2Gi")`);
  const [, digits, exponent, suffix = ''] = match;
  const base = Number(digits) * (exponent ? 10 ** Number(exponent) : 1);
  return base * (BINARY_SUFFIXES[suffix] ?? DECIMAL_SUFFIXES[suffix] ?? 1);
}

/** CPU in whole millicores, rounded up like the scheduler does. */
export function cpuMillis(raw: string | number | undefined): number {
  if (raw === undefined) return 0;
  return Math.ceil(Math.round(parseQuantity(raw) * 1e6) / 1e3);
}

/** Memory in whole bytes, rounded up. */
export function memoryBytes(raw: string | number | undefined): number {
  if (raw === undefined) return 0;
  return Math.ceil(parseQuantity(raw));
}

/** A count such as `pods: "58"`. */
export function count(raw: string | number | undefined): number {
  if (raw === undefined) return 0;
  return Math.floor(parseQuantity(raw));
}
