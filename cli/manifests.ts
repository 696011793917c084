/**
 * Reads ScaledObject manifests from the files a user named, through the engine's own parser, so the
 * CLI accepts and rejects exactly what the CDK construct and the Lambdas do. Files are named in
 * messages as the user typed them.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseManifests } from '../lambdas/engine/spec/parse-manifests';
import type { SpecIssue } from '../lambdas/engine/spec/issues';
import type { ScaledObject, TriggerAuthentication } from '../lambdas/engine/spec/scaled-object';

export interface LoadedObject {
  object: ScaledObject;
  file: string;
}

export interface LoadedManifests {
  objects: LoadedObject[];
  authentications: TriggerAuthentication[];
  errors: SpecIssue[];
  warnings: SpecIssue[];
}

export async function loadManifestFiles(files: string[], cwd: string, options: { strict?: boolean } = {}): Promise<LoadedManifests> {
  const loaded: LoadedManifests = { objects: [], authentications: [], errors: [], warnings: [] };
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(resolve(cwd, file), 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      loaded.errors.push({
        severity: 'error',
        objectId: file,
        field: '(file)',
        message: code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? (error as Error).message})`,
        fix: 'check the path, relative to the current directory',
        file,
      });
      continue;
    }
    const result = parseManifests(text, { file, ...(options.strict === undefined ? {} : { strict: options.strict }) });
    loaded.objects.push(...result.objects.map((object) => ({ object, file })));
    loaded.authentications.push(...result.authentications);
    loaded.errors.push(...result.errors);
    loaded.warnings.push(...result.warnings);
  }
  return loaded;
}
