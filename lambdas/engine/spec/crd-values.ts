/**
 * Typed reads of ScaledObject fields with the checks the KEDA CRD's OpenAPI schema makes: an
 * integer field rejects `"5"` and `1.5`, a boolean field rejects `"true"`, a string field rejects
 * an unquoted number. Each problem becomes an issue on the exact field path; the read returns
 * undefined so that parsing carries on and reports everything at once.
 */
import type { IssueCollector } from './issue-collector';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `the string "${value}"`;
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a map';
  return `${typeof value} ${String(value)}`;
}

export interface IntRule {
  min?: number;
  max?: number;
  /** How to phrase the allowed range in messages, e.g. "at least 1". */
  example?: string;
}

/** An int32 field; undefined when absent (or null) or invalid. */
export function readInt(issues: IssueCollector, value: unknown, path: string, rule: IntRule = {}): number | undefined {
  if (value === undefined || value === null) return undefined;
  const example = rule.example ?? String(rule.min !== undefined && rule.min > 0 ? rule.min : 5);
  if (typeof value === 'string') {
    const looksNumeric = /^\s*-?\d+(\.\d+)?\s*$/.test(value);
    issues.error(path, `must be an integer, not ${describe(value)}`, looksNumeric ? `remove the quotes: ${path.split('.').pop()}: ${value.trim()}` : `set a whole number such as ${example}`);
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    issues.error(path, `must be an integer, not ${describe(value)}`, `set a whole number such as ${example}`);
    return undefined;
  }
  if (!Number.isInteger(value)) {
    issues.error(path, `${value} is not a whole number`, `use an integer such as ${Math.round(value)}`);
    return undefined;
  }
  if (value < INT32_MIN || value > INT32_MAX) {
    issues.error(path, `${value} does not fit a 32-bit integer`, `use a value up to ${INT32_MAX}`);
    return undefined;
  }
  if (rule.min !== undefined && value < rule.min) {
    issues.error(path, `${value} is below the minimum ${rule.min}`, `use a value of at least ${rule.min}`);
    return undefined;
  }
  if (rule.max !== undefined && value > rule.max) {
    issues.error(path, `${value} is above the maximum ${rule.max}`, `use a value of at most ${rule.max}`);
    return undefined;
  }
  return value;
}

export function readBool(issues: IssueCollector, value: unknown, path: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  const fix = typeof value === 'string' && /^(true|false)$/i.test(value.trim()) ? `remove the quotes: ${value.trim().toLowerCase()}` : 'use true or false';
  issues.error(path, `must be a boolean, not ${describe(value)}`, fix);
  return undefined;
}

export function readString(issues: IssueCollector, value: unknown, path: string, options: { required?: boolean; example?: string } = {}): string | undefined {
  if (value === undefined || value === null || value === '') {
    if (options.required) issues.error(path, 'is required', options.example ? `set it, e.g. ${path.split('.').pop()}: ${options.example}` : 'set it');
    return undefined;
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') {
    issues.error(path, `must be a string, not ${describe(value)}`, `quote it: "${String(value)}"`);
    return undefined;
  }
  issues.error(path, `must be a string, not ${describe(value)}`, options.example ? `set a string such as ${options.example}` : 'set a string');
  return undefined;
}

/** A map field; undefined when absent; an issue when present but not a map. */
export function readRecord(issues: IssueCollector, value: unknown, path: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (isRecord(value)) return value;
  issues.error(path, `must be a map, not ${describe(value)}`, 'indent its fields under it as key: value pairs');
  return undefined;
}

/** A map of strings (labels, annotations, trigger metadata): every value must be a string. */
export function readStringMap(issues: IssueCollector, value: unknown, path: string): Record<string, string> {
  const map = readRecord(issues, value, path);
  const result: Record<string, string> = {};
  if (!map) return result;
  for (const [key, entry] of Object.entries(map)) {
    if (typeof entry === 'string') result[key] = entry;
    else if (entry === null) result[key] = '';
    else if (typeof entry === 'number' || typeof entry === 'boolean') {
      issues.error(`${path}.${key}`, `must be a string, but YAML read the unquoted ${typeof entry} ${String(entry)}`, `quote it: ${key}: "${String(entry)}"`);
    } else {
      issues.error(`${path}.${key}`, `must be a string, not ${describe(entry)}`, `write the value as one quoted string: ${key}: "..."`);
    }
  }
  return result;
}

/** One of a fixed set of strings (a CRD enum). */
export function readEnum<T extends string>(issues: IssueCollector, value: unknown, path: string, allowed: readonly T[]): T | undefined {
  const text = readString(issues, value, path);
  if (text === undefined) return undefined;
  if ((allowed as readonly string[]).includes(text)) return text as T;
  issues.error(path, `"${text}" is not one of ${allowed.map((item) => `"${item}"`).join(', ')}`, `use one of ${allowed.join(', ')}`);
  return undefined;
}

/** Warns about fields the schema does not know (the API server would drop them). */
export function warnUnknownFields(issues: IssueCollector, map: Record<string, unknown>, path: string, known: readonly string[]): void {
  for (const key of Object.keys(map)) {
    if (known.includes(key)) continue;
    issues.warn(`${path}.${key}`, `unknown field "${key}" is ignored`, `check its spelling; known fields here: ${known.join(', ')}`);
  }
}
