/**
 * Reads ScaledObject manifests from the paths a user named, through the engine's own parser, so the
 * CLI accepts and rejects exactly what the CDK construct and the Lambdas do. As with kubectl's
 * `-f`, a path is a file, a folder (its .yaml, .yml and .json files, recursively) or `-` for
 * stdin. Files are named in messages as the user typed them.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseManifestTexts, type ManifestText } from '../lambdas/engine/spec/parse-manifests';
import { formatIssue, type SpecIssue } from '../lambdas/engine/spec/issues';
import type { CliIo } from './io';
import type { ScaledObject, TriggerAuthentication } from '../lambdas/engine/spec/scaled-object';
import type { ScaledJobSpec } from '../lambdas/engine/spec/scaled-job';

export interface LoadedObject {
  object: ScaledObject;
  file: string;
}

export interface LoadedScaledJob {
  job: ScaledJobSpec;
  file: string;
}

export interface LoadedManifests {
  objects: LoadedObject[];
  scaledJobs: LoadedScaledJob[];
  authentications: TriggerAuthentication[];
  errors: SpecIssue[];
  warnings: SpecIssue[];
  /** Every file read, folders expanded, as named in messages. */
  files: string[];
}

export interface LoadOptions {
  strict?: boolean;
  /**
   * Parse each file as its own configuration (`simulate` compares variants of one ScaledObject,
   * which share a name and a target). By default the files form one configuration, as deployed.
   */
  eachFileAlone?: boolean;
}

/** How a manifest read from stdin is named in messages. */
export const STDIN_NAME = '<stdin>';
const MANIFEST_EXTENSIONS = /\.(ya?ml|json)$/i;

/** A path that could not be read: reported once, as `error: PATH: reason (fix)`. */
function fileIssue(file: string, message: string, fix: string): SpecIssue {
  return { severity: 'error', objectId: file, field: '(file)', message, fix };
}

/** formatIssue, except that a file that cannot be read is named once rather than three times. */
export function formatManifestIssue(issue: SpecIssue): string {
  if (issue.field === '(file)') return `${issue.severity}: ${issue.objectId}: ${issue.message}${issue.fix ? ` (${issue.fix})` : ''}`;
  return formatIssue(issue);
}

/** The manifest texts behind the paths, each file once, plus an issue for each path that cannot be read. */
async function readManifestPaths(paths: string[], io: Pick<CliIo, 'cwd' | 'readStdin'>): Promise<{ texts: ManifestText[]; errors: SpecIssue[] }> {
  const texts: ManifestText[] = [];
  const errors: SpecIssue[] = [];
  const seen = new Set<string>();
  const readOne = async (file: string): Promise<void> => {
    const absolute = resolve(io.cwd, file);
    if (seen.has(absolute)) return;
    seen.add(absolute);
    texts.push({ text: await readFile(absolute, 'utf8'), file });
  };
  // A path named twice (a file and -f the same file) is read, or reported, once.
  const uniquePaths = [...new Map(paths.map((path) => [path === '-' ? path : resolve(io.cwd, path), path])).values()];
  for (const path of uniquePaths) {
    if (path === '-') {
      if (!io.readStdin) {
        errors.push(fileIssue(STDIN_NAME, 'stdin cannot be read here', 'give a file or folder instead of -'));
        continue;
      }
      texts.push({ text: await io.readStdin(), file: STDIN_NAME });
      continue;
    }
    try {
      const info = await stat(resolve(io.cwd, path));
      if (info.isDirectory()) {
        const files = await manifestFilesUnder(io.cwd, path);
        if (files.length === 0) errors.push(fileIssue(path, 'folder has no .yaml, .yml or .json file', 'name a folder that holds ScaledObject manifests'));
        for (const file of files) await readOne(file);
      } else {
        await readOne(path);
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      errors.push(
        fileIssue(
          path,
          code === 'ENOENT' ? 'no such file or folder' : `cannot be read (${code ?? (error as Error).message})`,
          'check the path, relative to the current directory',
        ),
      );
    }
  }
  return { texts, errors };
}

/** Manifest files under a folder, recursively, sorted so that output is stable. */
async function manifestFilesUnder(cwd: string, folder: string): Promise<string[]> {
  const entries = await readdir(resolve(cwd, folder), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && MANIFEST_EXTENSIONS.test(entry.name))
    .map((entry) => join(folder, (entry.parentPath ?? '').slice(resolve(cwd, folder).length), entry.name))
    .sort();
}

export async function loadManifestFiles(paths: string[], io: Pick<CliIo, 'cwd' | 'readStdin'>, options: LoadOptions = {}): Promise<LoadedManifests> {
  const { texts, errors } = await readManifestPaths(paths, io);
  const loaded: LoadedManifests = { objects: [], scaledJobs: [], authentications: [], errors, warnings: [], files: texts.map((text) => text.file ?? '') };
  // One parse over every file: authentications and duplicate targets are checked across files.
  const parseOptions = options.strict === undefined ? {} : { strict: options.strict };
  const results = options.eachFileAlone
    ? texts.map((text) => parseManifestTexts([text], parseOptions))
    : [parseManifestTexts(texts, parseOptions)];
  for (const result of results) {
    loaded.objects.push(...result.objects.map((object) => ({ object, file: object.sourceFile ?? texts[0]?.file ?? '' })));
    loaded.scaledJobs.push(...result.scaledJobs.map((job) => ({ job, file: job.sourceFile ?? texts[0]?.file ?? '' })));
    loaded.authentications.push(...result.authentications);
    loaded.errors.push(...result.errors);
    loaded.warnings.push(...result.warnings);
  }
  return loaded;
}

/**
 * Keeps the objects of one namespace (`-n`), as kubectl does; every namespace when none is named.
 * Returns how many were left out, so a command can say so rather than look empty.
 */
export function inNamespace<T extends LoadedObject | LoadedScaledJob>(objects: T[], namespace: string | undefined): { kept: T[]; leftOut: number } {
  if (namespace === undefined) return { kept: objects, leftOut: 0 };
  const kept = objects.filter((entry) => ('object' in entry ? entry.object : entry.job).namespace === namespace);
  return { kept, leftOut: objects.length - kept.length };
}
