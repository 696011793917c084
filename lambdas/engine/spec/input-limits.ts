/**
 * Limits on what the parser accepts, checked before YAML parsing so that hostile or accidental
 * input (a generated file with a runaway loop, 5 MB of nested brackets) gets a clear error instead
 * of a stack overflow or an exhausted heap. Real KEDA manifests are far inside every limit: a
 * ScaledObject nests about 8 levels deep and a few hundred of them fit in a megabyte.
 */
import type { SpecIssue } from './issues';

/** Largest YAML text accepted, in bytes (UTF-16 code units, close enough for a limit). */
export const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;
/** Deepest nesting of flow collections (`[` / `{`) accepted. */
export const MAX_FLOW_NESTING = 64;
/**
 * Deepest block nesting accepted, as the column where a line's content starts once its indentation
 * and compact `- ` sequence entries are skipped. A ScaledObject's deepest field sits near column 20.
 */
export const MAX_BLOCK_COLUMN = 256;
/** Issues of each severity reported per parse; the rest are counted in one final issue. */
export const MAX_REPORTED_ISSUES = 1_000;

/** Why `text` is refused before parsing, or undefined when it is within the limits. Never throws. */
export function inputLimitProblem(text: string): { message: string; fix: string } | undefined {
  if (text.length > MAX_MANIFEST_BYTES) {
    return {
      message: `the input is ${(text.length / 1024 / 1024).toFixed(1)} MB; the limit is ${MAX_MANIFEST_BYTES / 1024 / 1024} MB`,
      fix: 'split the ScaledObjects across several files (each file is parsed on its own)',
    };
  }
  const depth = deepestFlowNesting(text);
  if (depth > MAX_FLOW_NESTING) {
    return {
      message: `brackets nest ${depth} levels deep; the limit is ${MAX_FLOW_NESTING}`,
      fix: 'a KEDA manifest nests about 8 levels: look for unbalanced [ or { (a generated file gone wrong)',
    };
  }
  const column = deepestBlockColumn(text);
  if (column > MAX_BLOCK_COLUMN) {
    return {
      message: `a line's content starts at column ${column} (indentation and nested "- " entries); the limit is ${MAX_BLOCK_COLUMN}`,
      fix: 'a KEDA manifest nests about 8 levels: look for runaway indentation or "- - - ..." (a generated file gone wrong)',
    };
  }
  return undefined;
}

function deepestBlockColumn(text: string): number {
  let deepest = 0;
  for (let start = 0; start < text.length; ) {
    let i = start;
    for (;;) {
      if (text[i] === ' ' || text[i] === '\t') i += 1;
      else if (text[i] === '-' && (text[i + 1] === ' ' || text[i + 1] === '\t')) i += 2;
      else break;
      if (i - start > MAX_BLOCK_COLUMN) return i - start;
    }
    deepest = Math.max(deepest, i - start);
    const end = text.indexOf('\n', i);
    if (end === -1) break;
    start = end + 1;
  }
  return deepest;
}

/**
 * Depth of `[`/`{` nesting outside quoted strings and comments. A scan, not a parse: enough to
 * refuse input the YAML parser would recurse into without bound. Stops counting past the limit.
 */
function deepestFlowNesting(text: string): number {
  let depth = 0;
  let deepest = 0;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quote) {
      if (char === '\\' && quote === '"') i += 1;
      else if (char === quote) quote = undefined;
      continue;
    }
    if (char === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      const end = text.indexOf('\n', i);
      if (end === -1) break;
      i = end;
    } else if (char === '"' || char === "'") {
      // A quote starts a string only at the start of a scalar; inside a plain word it is a character.
      if (i === 0 || /[\s[{,:]/.test(text[i - 1]!)) quote = char;
    } else if (char === '[' || char === '{') {
      depth += 1;
      if (depth > deepest) deepest = depth;
      if (deepest > MAX_FLOW_NESTING) return deepest;
    } else if ((char === ']' || char === '}') && depth > 0) {
      depth -= 1;
    }
  }
  return deepest;
}

/** Keeps the first MAX_REPORTED_ISSUES issues and says how many more there were. */
export function capIssues(issues: SpecIssue[], severity: SpecIssue['severity']): SpecIssue[] {
  if (issues.length <= MAX_REPORTED_ISSUES) return issues;
  const kept = issues.slice(0, MAX_REPORTED_ISSUES);
  kept.push({
    severity,
    objectId: '(input)',
    field: '(all)',
    message: `${issues.length - MAX_REPORTED_ISSUES} more ${severity}s not shown (${issues.length} in all)`,
    fix: 'fix the ones shown first; they often cause the rest',
  });
  return kept;
}
