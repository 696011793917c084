/**
 * The undici stand-in requires undici's own files from the folder @kubernetes/client-node resolves
 * undici to, wherever npm put it: nested under client-node in this repository (package.json's
 * `overrides`), hoisted in an app that installed this package. The folder is given relative to
 * the project root, so the bundling arguments do not change from one machine to another.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lambdaBundleAliases, UNDICI_OF_CLIENT_NODE } from '../../lib/lambda-bundle-aliases';
import { REPO_ROOT } from './support/scaler-stack';

const work = mkdtempSync(join(tmpdir(), 'lambda-bundle-aliases-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function writePackage(folder: string, name: string): void {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ name, main: 'index.js' }));
  writeFileSync(join(folder, 'index.js'), '');
}

describe('the undici folder the Lambda bundles take Agent and fetch from', () => {
  it('is the copy nested under client-node in this repository', () => {
    expect(lambdaBundleAliases(REPO_ROOT)[UNDICI_OF_CLIENT_NODE]).toBe('./node_modules/@kubernetes/client-node/node_modules/undici');
  });

  it("is the hoisted copy in an app's install, relative to this package's folder", () => {
    const app = join(work, 'app');
    const packageRoot = join(app, 'node_modules', 'eks-lambda-scaler');
    writePackage(app, 'app');
    writePackage(packageRoot, 'eks-lambda-scaler');
    writePackage(join(app, 'node_modules', '@kubernetes', 'client-node'), '@kubernetes/client-node');
    writePackage(join(app, 'node_modules', 'undici'), 'undici');
    expect(lambdaBundleAliases(packageRoot)[UNDICI_OF_CLIENT_NODE]).toBe('../undici');
  });

  it('says what it looked for when client-node has no undici', () => {
    const app = join(work, 'no-undici');
    writePackage(app, 'app');
    writePackage(join(app, 'node_modules', '@kubernetes', 'client-node'), '@kubernetes/client-node');
    expect(() => lambdaBundleAliases(dirname(join(app, 'package.json')))).toThrow(/undici/);
  });
});
