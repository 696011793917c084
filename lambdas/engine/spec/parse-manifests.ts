/**
 * Reads users' KEDA manifests (multi-document YAML or already-parsed objects) into validated
 * ScaledObjects and TriggerAuthentications. Other kinds (Deployments, Services...) are skipped; a
 * broken document is reported and left out without stopping the others. The core over plain
 * objects is parse-documents.ts; this file adds reading YAML text.
 */
import type { SpecIssue } from './issues';
import { readYamlDocuments, type SourceDocument } from './yaml-documents';
import { capIssues, inputLimitProblem } from './input-limits';
import { appendAll } from '../../util/append-all';
import { collect, documentLabel, parseCollected, type Manifest, type ParseOptions, type ParseResult } from './parse-documents';

export { resolveTriggerEnv } from './resolve-trigger-env';
export type { ParseOptions, ParseResult } from './parse-documents';

/** One input among several parsed together: YAML text (a file) or documents as plain objects. */
export type ManifestText = ({ text: string } | { documents: unknown[] }) & {
  /** Source file name (or label), stamped on that input's issues. */
  file?: string;
};

export function parseManifests(yamlText: string, options: ParseOptions = {}): ParseResult {
  return parseManifestTexts([{ text: yamlText, ...(options.file !== undefined ? { file: options.file } : {}) }], options);
}

/**
 * Parses several YAML texts as one configuration: a TriggerAuthentication in one file serves the
 * ScaledObjects of another, and two ScaledObjects on one workload are caught across files.
 */
export function parseManifestTexts(texts: ManifestText[], options: Omit<ParseOptions, 'file'> = {}): ParseResult {
  const errors: SpecIssue[] = [];
  const manifests: Manifest[] = [];
  for (const input of texts) {
    const file = input.file;
    const fileOptions = { ...options, ...(file !== undefined ? { file } : {}) };
    if ('documents' in input) {
      input.documents.forEach((doc, index) => collect(manifests, doc, documentLabel(fileOptions, index), undefined, file));
      continue;
    }
    const refused = inputLimitProblem(input.text);
    if (refused) {
      errors.push({ severity: 'error', objectId: documentLabel(fileOptions, 0), field: '(input)', ...refused, ...(file !== undefined ? { file } : {}) });
      continue;
    }
    for (const document of safelyReadYaml(input.text)) {
      const label = documentLabel(fileOptions, document.index);
      for (const syntax of document.syntaxErrors) {
        errors.push({
          severity: 'error',
          objectId: label,
          field: '(yaml)',
          message: `invalid YAML: ${syntax.message}`,
          fix: 'fix the YAML syntax (indentation, quoting, duplicate keys)',
          ...(file !== undefined ? { file } : {}),
          ...(syntax.line !== undefined ? { line: syntax.line } : {}),
        });
      }
      if (document.syntaxErrors.length > 0) continue;
      collect(manifests, document.value, label, document.lineOf, file);
    }
  }
  const result = parseCollected(manifests, options);
  appendAll(errors, result.errors);
  return { ...result, errors: capIssues(errors, 'error'), warnings: capIssues(result.warnings, 'warning') };
}

/** The YAML documents, or one syntax error when the parser itself fails (never a stack trace). */
function safelyReadYaml(text: string): SourceDocument[] {
  try {
    return readYamlDocuments(text);
  } catch (error) {
    const message = error instanceof RangeError ? 'the input is nested too deeply or is too large to parse' : (error as Error).message;
    return [{ index: 0, value: undefined, lineOf: () => undefined, syntaxErrors: [{ message }] }];
  }
}

export function parseManifestObjects(docs: unknown[], options: ParseOptions = {}): ParseResult {
  return parseManifestTexts([{ documents: docs, ...(options.file !== undefined ? { file: options.file } : {}) }], options);
}
