/**
 * Splits multi-document YAML into plain values, remembering the line of every field so that an
 * issue can point at `file:line`. Parsed with the YAML 1.1 schema, as Kubernetes (go-yaml v2)
 * does: an unquoted `yes`/`on`/`off` is a boolean there too, and the CRD then rejects it.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml';

export interface SourceDocument {
  /** 0-based position in the stream. */
  index: number;
  value: unknown;
  /** 1-based line of a field path such as `spec.triggers[0].metadata.queueLength`, or of its nearest parent. */
  lineOf(path: string): number | undefined;
  /** YAML syntax problems; the document's value is unusable when there are any. */
  syntaxErrors: { message: string; line?: number }[];
}

export function readYamlDocuments(text: string): SourceDocument[] {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { version: '1.1', lineCounter, prettyErrors: false });
  if (!Array.isArray(documents)) return [];
  return documents.map((document, index) => {
    const lines = new Map<string, number>();
    const lineAt = (offset: number | undefined): number | undefined => (offset === undefined ? undefined : lineCounter.linePos(offset).line);
    recordLines(document.contents, '', lines, lineAt);
    const syntaxErrors = document.errors.map((error) => ({
      message: /call stack/i.test(error.message) ? 'the input is nested too deeply to parse' : error.message.split('\n')[0]!,
      line: lineAt(error.pos[0]),
    }));
    let value: unknown;
    if (syntaxErrors.length === 0) {
      try {
        value = document.toJS({ maxAliasCount: 1000 });
      } catch (error) {
        syntaxErrors.push({ message: (error as Error).message, line: undefined });
      }
    }
    return { index, value, lineOf: (path: string) => lookupLine(lines, path), syntaxErrors };
  });
}

function recordLines(node: unknown, path: string, lines: Map<string, number>, lineAt: (offset: number | undefined) => number | undefined): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === undefined) continue;
      const child = path ? `${path}.${key}` : key;
      const line = lineAt((pair.key as Node).range?.[0]);
      if (line !== undefined) lines.set(child, line);
      recordLines(pair.value, child, lines, lineAt);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      const child = `${path}[${index}]`;
      const line = lineAt((item as Node | null)?.range?.[0]);
      if (line !== undefined) lines.set(child, line);
      recordLines(item, child, lines, lineAt);
    });
  }
}

function lookupLine(lines: Map<string, number>, path: string): number | undefined {
  let current = path;
  for (;;) {
    const line = lines.get(current);
    if (line !== undefined) return line;
    const cut = Math.max(current.lastIndexOf('.'), current.lastIndexOf('['));
    if (cut <= 0) return lines.get(current);
    current = current.slice(0, cut);
  }
}
