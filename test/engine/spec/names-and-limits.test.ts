/**
 * Names validated as the API server validates them, and limits on input size and nesting
 * (issue 12). Name rules: k8s.io/apimachinery pkg/util/validation (IsDNS1123Label for
 * namespaces and container names, IsDNS1123Subdomain for object names) and pkg/api/validation/path
 * (IsValidPathSegmentName: "." and ".." are refused, which a subdomain never is).
 */
import { describe, expect, it } from 'vitest';
import { parseManifests } from '../../../lambdas/engine/spec/parse-manifests';
import { MAX_BLOCK_COLUMN, MAX_FLOW_NESTING, MAX_MANIFEST_BYTES, MAX_REPORTED_ISSUES } from '../../../lambdas/engine/spec/input-limits';
import { kubernetesNameProblem } from '../../../lambdas/engine/spec/kubernetes-names';

const manifest = (metadata: string, target: string, extra = '') => `
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: ${metadata}
spec:
  scaleTargetRef: {name: ${JSON.stringify(target)}${extra}}
  triggers:
    - type: cron
      metadata: {timezone: UTC, start: "0 8 * * *", end: "0 9 * * *", desiredReplicas: "1"}
`;

describe('Kubernetes name rules (apimachinery IsDNS1123Label / IsDNS1123Subdomain)', () => {
  it.each([
    ['web', 'dns-1123-label', true],
    ['a-1', 'dns-1123-label', true],
    ['a.b', 'dns-1123-label', false],
    ['-a', 'dns-1123-label', false],
    ['A', 'dns-1123-label', false],
    ['x'.repeat(63), 'dns-1123-label', true],
    ['x'.repeat(64), 'dns-1123-label', false],
    ['web.v2', 'dns-1123-subdomain', true],
    ['.', 'dns-1123-subdomain', false],
    ['..', 'dns-1123-subdomain', false],
    ['a..b', 'dns-1123-subdomain', false],
    ['a/b', 'dns-1123-subdomain', false],
    ['a%2e', 'dns-1123-subdomain', false],
    ['x'.repeat(253), 'dns-1123-subdomain', true],
    ['x'.repeat(254), 'dns-1123-subdomain', false],
  ] as const)('%s as a %s: valid = %s', (name, rule, valid) => {
    expect(kubernetesNameProblem(name, rule) === undefined).toBe(valid);
  });
});

describe('names in the spec', () => {
  it.each([
    { what: 'a target named "."', yaml: manifest('{name: w, namespace: shop}', '.'), field: 'spec.scaleTargetRef.name', says: '"." is not a DNS-1123 subdomain' },
    { what: 'a target named ".."', yaml: manifest('{name: w, namespace: shop}', '..'), field: 'spec.scaleTargetRef.name', says: '".." is not a DNS-1123 subdomain' },
    { what: 'a target with a slash', yaml: manifest('{name: w, namespace: shop}', 'a/b'), field: 'spec.scaleTargetRef.name', says: '"a/b" is not' },
    { what: 'a namespace ".."', yaml: manifest('{name: w, namespace: ".."}', 'w'), field: 'metadata.namespace', says: '".." is not a DNS-1123 label' },
    { what: 'an upper-case namespace', yaml: manifest('{name: w, namespace: Shop}', 'w'), field: 'metadata.namespace', says: '"Shop" is not a DNS-1123 label' },
    { what: 'an object name with "/"', yaml: manifest('{name: "a/b", namespace: shop}', 'w'), field: 'metadata.name', says: '"a/b" is not a DNS-1123 subdomain' },
    { what: 'an envSourceContainerName with a dot', yaml: manifest('{name: w, namespace: shop}', 'w', ', envSourceContainerName: "a.b"'), field: 'spec.scaleTargetRef.envSourceContainerName', says: '"a.b" is not a DNS-1123 label' },
  ])('$what is an error naming the object, the field and the fix', ({ yaml, field, says }) => {
    const result = parseManifests(yaml, { file: 'so.yaml' });
    expect(result.objects).toEqual([]);
    const issue = result.errors.find((error) => error.field === field);
    expect(issue?.message).toContain(says);
    expect(issue?.fix).toBeTruthy();
    expect(issue?.file).toBe('so.yaml');
  });

  it('accepts dotted object names, as Kubernetes does', () => {
    expect(parseManifests(manifest('{name: web.v2, namespace: shop}', 'web.v2')).errors).toEqual([]);
  });
});

describe('input limits: a clear error, never a stack overflow or an exhausted heap', () => {
  it(`reports at most ${MAX_REPORTED_ISSUES} issues and counts the rest (130 000 broken triggers in one object)`, () => {
    const triggers = Array.from({ length: 130_000 }, () => '    - {type: nope}').join('\n');
    const yaml = `apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: a}\nspec:\n  scaleTargetRef: {name: a}\n  triggers:\n${triggers}\n`;
    const result = parseManifests(yaml);
    expect(result.errors).toHaveLength(MAX_REPORTED_ISSUES + 1);
    expect(result.errors.at(-1)?.message).toMatch(/^\d+ more errors not shown \(\d+ in all\)$/);
  });

  it('refuses 5 MB of nested brackets before parsing them', () => {
    const result = parseManifests('['.repeat(5 * 1024 * 1024), { file: 'big.yaml' });
    expect(result.errors).toEqual([
      expect.objectContaining({ field: '(input)', file: 'big.yaml', message: `brackets nest ${MAX_FLOW_NESTING + 1} levels deep; the limit is ${MAX_FLOW_NESTING}` }),
    ]);
  });

  it('refuses runaway block nesting ("- - - …") before parsing it', () => {
    const result = parseManifests('- '.repeat(2_500_000));
    expect(result.errors[0]?.message).toContain(`the limit is ${MAX_BLOCK_COLUMN}`);
  });

  it('refuses an input over the size limit', () => {
    const result = parseManifests(`# ${'x'.repeat(MAX_MANIFEST_BYTES)}\n`);
    expect(result.errors[0]?.message).toMatch(/^the input is 8\.0 MB; the limit is 8 MB$/);
  });

  it('still counts brackets inside quotes and comments as text', () => {
    const yaml = manifest('{name: w, namespace: shop, annotations: {note: "' + '['.repeat(200) + '"}}', 'w') + `# ${'{'.repeat(200)}\n`;
    expect(parseManifests(yaml).errors).toEqual([]);
  });
});
