/**
 * Small Go standard-library behaviours that KEDA's HTTP scalers rely on, so the scaler sends and
 * reads the same bytes: `url.QueryEscape`, `strconv.ParseFloat`, `time.ParseDuration` and KEDA's
 * `key=value,key=value` map values (`scalersconfig` `setConfigValueMap`).
 */

/** Go's `url.QueryEscape`: only `A-Z a-z 0-9 - _ . ~` stay, a space becomes `+`. */
export function goQueryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

const DECIMAL_FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const SPECIAL_FLOAT = /^([+-]?)(inf|infinity|nan)$/i;

/** Go's `strconv.ParseFloat(s, 64)` for decimal input (what Prometheus writes); undefined when Go would fail. */
export function goParseFloat(text: string): number | undefined {
  const special = SPECIAL_FLOAT.exec(text);
  if (special) {
    if ((special[2] as string).toLowerCase() === 'nan') return special[1] ? undefined : Number.NaN;
    return special[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (!DECIMAL_FLOAT.test(text)) return undefined;
  return Number(text);
}

const DURATION_UNITS_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^([+-]?)((\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/;
const DURATION_PART = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;

/**
 * KEDA's duration rule: a Go duration string ("30s", "1m30s", "500ms"), else a whole number of
 * milliseconds; negative is an error. Returns milliseconds, or a problem.
 */
export function parseKedaDuration(text: string): { ms: number } | { problem: string } {
  if (text === '0') return { ms: 0 };
  const match = DURATION.exec(text);
  if (match) {
    let total = 0;
    for (const part of text.matchAll(DURATION_PART)) total += Number(part[1]) * (DURATION_UNITS_MS[part[2] as string] as number);
    if (match[1] === '-' && total > 0) return { problem: `duration cannot be negative: "${text}"` };
    return { ms: total };
  }
  if (/^-?\d+$/.test(text)) {
    const ms = Number(text);
    return ms < 0 ? { problem: `duration cannot be negative: ${ms} milliseconds` } : { ms };
  }
  return { problem: `"${text}" is neither a duration such as "30s" or "5m" nor a number of milliseconds` };
}

/**
 * KEDA's map values: `,`-separated `key=value` pairs, each trimmed; a pair without exactly one `=`
 * is an error. Later keys replace earlier ones, as in the Go map.
 */
export function parseKeyValueList(text: string): { entries: [string, string][] } | { problem: string } {
  const map = new Map<string, string>();
  for (const raw of text.split(',')) {
    const pair = raw.trim();
    const parts = pair.split('=');
    if (parts.length !== 2) return { problem: `expected format key=value, got "${pair}"` };
    map.set((parts[0] as string).trim(), (parts[1] as string).trim());
  }
  return { entries: [...map.entries()] };
}
