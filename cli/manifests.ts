/**
 * Reads ScaledObject manifests from the files a user named, through the engine's own parser, so the
 * CLI accepts and rejects exactly what the CDK construct and the Lambdas do. Files are named in
 * messages as the user typed them.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseManifestTexts, type ManifestText } from '../lambdas/engine/spec/parse-manifests';
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

export interface LoadOptions {
  strict?: boolean;
  /**
   * Parse each file as its own configuration (`simulate` compares variants of one ScaledObject,
   * which share a name and a target). By default the files form one configuration, as deployed.
   */
  eachFileAlone?: boolean;
}

export async function loadManifestFiles(files: string[], cwd: string, options: LoadOptions = {}): Promise<LoadedManifests> {
  const loaded: LoadedManifests = { objects: [], authentications: [], errors: [], warnings: [] };
  const texts: ManifestText[] = [];
  for (const file of files) {
    try {
      texts.push({ text: await readFile(resolve(cwd, file), 'utf8'), file });
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
    }
  }
  // One parse over every file: authentications and duplicate targets are checked across files.
  const parseOptions = options.strict === undefined ? {} : { strict: options.strict };
  const results = options.eachFileAlone
    ? texts.map((text) => parseManifestTexts([text], parseOptions))
    : [parseManifestTexts(texts, parseOptions)];
  for (const result of results) {
    loaded.objects.push(...result.objects.map((object) => ({ object, file: object.sourceFile ?? files[0] ?? '' })));
    loaded.authentications.push(...result.authentications);
    loaded.errors.push(...result.errors);
    loaded.warnings.push(...result.warnings);
  }
  return loaded;
}
