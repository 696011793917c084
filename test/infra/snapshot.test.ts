/** The whole template, so any change to what gets deployed shows up in review. */
import { expect, it } from 'vitest';
import { buildScaler } from './support/scaler-stack';

/** Asset hashes change with every edit to the Lambda code; they are not what this snapshot guards. */
function normalizeAssetHashes(template: unknown): unknown {
  return JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}/g, '<asset hash>'));
}

it('matches the snapshot', () => {
  const { template } = buildScaler({ alarmNamePrefixes: ['orders-'] });
  expect(normalizeAssetHashes(template.toJSON())).toMatchSnapshot();
});
