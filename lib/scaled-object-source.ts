/**
 * Where the construct's ScaledObjects come from: KEDA YAML files, YAML text, or manifests written as
 * TypeScript objects. Every source goes through the engine's parser, so all three are validated the
 * same way and report problems with the same messages.
 */
import { readFileSync } from 'node:fs';
import type { ManifestText } from '../lambdas/engine/spec/parse-manifests';
import type { ScaledObjectManifest, TriggerAuthenticationManifest } from './scaled-object-manifest';

export abstract class ScaledObjectSource {
  /** A YAML file with one or more documents (ScaledObjects, TriggerAuthentications; others are skipped). */
  static fromFile(path: string): ScaledObjectSource {
    return new YamlFileSource(path);
  }

  /** YAML text; `label` names it in error messages (default `inline YAML #<n>`). */
  static fromYaml(yamlText: string, label?: string): ScaledObjectSource {
    return new YamlTextSource(yamlText, label);
  }

  /** Manifests as objects, shaped exactly like the YAML. */
  static fromManifests(
    manifests: readonly (ScaledObjectManifest | TriggerAuthenticationManifest)[],
    label?: string,
  ): ScaledObjectSource {
    return new ManifestSource(manifests, label);
  }

  /** How errors name this source. */
  abstract readonly label: string;

  /**
   * The source's manifests for the parser. All sources are parsed together, as one configuration,
   * so a TriggerAuthentication in one file serves ScaledObjects in another.
   */
  abstract read(): ManifestText;
}

class YamlFileSource extends ScaledObjectSource {
  constructor(readonly label: string) {
    super();
  }

  read(): ManifestText {
    let text: string;
    try {
      text = readFileSync(this.label, 'utf8');
    } catch (error) {
      throw new Error(
        `cannot read ScaledObject file ${this.label}: ${(error as Error).message}. Check the path (relative paths are resolved from ${process.cwd()}).`,
        { cause: error },
      );
    }
    return { text, file: this.label };
  }
}

let inlineCount = 0;

class YamlTextSource extends ScaledObjectSource {
  readonly label: string;

  constructor(
    private readonly text: string,
    label?: string,
  ) {
    super();
    this.label = label ?? `inline YAML #${++inlineCount}`;
  }

  read(): ManifestText {
    return { text: this.text, file: this.label };
  }
}

class ManifestSource extends ScaledObjectSource {
  readonly label: string;

  constructor(
    private readonly manifests: readonly unknown[],
    label?: string,
  ) {
    super();
    this.label = label ?? `manifests #${++inlineCount}`;
  }

  read(): ManifestText {
    // A deep copy, so the parser never sees (or keeps) the caller's mutable objects.
    return { documents: JSON.parse(JSON.stringify(this.manifests)) as unknown[], file: this.label };
  }
}
