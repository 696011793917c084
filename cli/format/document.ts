/** Prints a command's machine-readable result as `-o json` or `-o yaml` asked for. */
import { stringify } from 'yaml';
import { writeLine, type OutputStream } from '../io';

export function writeDocument(stream: OutputStream, format: 'json' | 'yaml', document: unknown): void {
  if (format === 'json') writeLine(stream, JSON.stringify(document, null, 2));
  else stream.write(stringify(document));
}

/** True for the formats that print one document instead of text. */
export function isDocumentFormat(format: string): format is 'json' | 'yaml' {
  return format === 'json' || format === 'yaml';
}
