/**
 * The habits kubectl users bring (issue 19): -f with files, folders and stdin, -o json|yaml|wide,
 * -n/-A, --version, help <command>, usage errors in our own words, one exit-code rule.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import packageJson from '../../package.json' with { type: 'json' };
import { runCli } from '../../cli/main';
import { captureIo, cli, FIXTURES, tempDir } from './cli-harness';

const rel = (name: string) => `test/cli/fixtures/${name}`;

describe('-f: a file, a folder or stdin', () => {
  it('reads a folder recursively, and -f is the same as naming the path', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'nested/deeper'), { recursive: true });
    writeFileSync(join(dir, 'sqs.yaml'), readFileSync(join(FIXTURES, 'sqs-worker.yaml')));
    writeFileSync(join(dir, 'nested/deeper/kinesis.yml'), readFileSync(join(FIXTURES, 'kinesis-consumer.yaml')));
    writeFileSync(join(dir, 'nested/notes.txt'), 'not a manifest');
    for (const argv of [['validate', dir], ['validate', '-f', dir]]) {
      const outcome = await cli(argv);
      expect(outcome.code).toBe(0);
      expect(outcome.stdout).toContain('ok  jobs/orders-worker');
      expect(outcome.stdout).toContain(`ok  analytics/clicks  (${join(dir, 'nested/deeper/kinesis.yml')}:`);
      expect(outcome.stdout).toContain('2 ScaledObjects in 2 files: 0 errors, 0 warnings');
    }
  });

  it('validates the examples folder without EISDIR', async () => {
    const outcome = await cli(['validate', 'examples']);
    expect(outcome.stderr).not.toContain('EISDIR');
    expect(outcome.stdout + outcome.stderr).toContain('examples/sqs-worker.yaml');
    expect(outcome.stderr).toContain('examples/broken/');
  });

  it('reads - from stdin', async () => {
    const io = captureIo();
    io.readStdin = async () => readFileSync(join(FIXTURES, 'sqs-worker.yaml'), 'utf8');
    const code = await runCli(['validate', '-f', '-'], io);
    expect(code).toBe(0);
    expect(io.out.join('')).toContain('ok  jobs/orders-worker  (<stdin>: Deployment orders-worker');
  });

  it('reports each missing path once, even when named twice', async () => {
    const outcome = await cli(['validate', 'nope.yaml', '-f', 'nope.yaml', 'missing-folder/']);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr.match(/nope\.yaml/g)).toHaveLength(1);
    expect(outcome.stderr).toContain('error: missing-folder/: no such file or folder');
  });
});

describe('-o and -n', () => {
  it('prints yaml and wide', async () => {
    const yaml = await cli(['validate', rel('sqs-worker.yaml'), '-o', 'yaml']);
    expect(yaml.code).toBe(0);
    expect(parse(yaml.stdout)).toMatchObject({ ok: true, objects: [{ id: 'jobs/orders-worker' }] });
    const wide = await cli(['validate', rel('sqs-worker.yaml'), '--output=wide']);
    expect(wide.stdout).toMatch(/aws-sqs-queue s0-aws-sqs-orders AverageValue 10/);
  });

  it('keeps one namespace with -n and refuses -n with -A', async () => {
    const outcome = await cli(['validate', rel('sqs-worker.yaml'), rel('kinesis-consumer.yaml'), '-n', 'analytics']);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('ok  analytics/clicks');
    expect(outcome.stdout).not.toContain('jobs/orders-worker');
    expect(outcome.stdout).toContain('(1 in other namespaces left out by -n analytics)');
    const both = await cli(['validate', rel('sqs-worker.yaml'), '-n', 'jobs', '-A']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('either -n/--namespace NAME or -A/--all-namespaces');
  });
});

describe('--version, help <command> and usage errors in our own words', () => {
  it('prints the version and a command\'s help', async () => {
    const version = await cli(['--version']);
    expect(version).toEqual({ code: 0, stdout: `eks-lambda-scaler ${packageJson.version}\n`, stderr: '' });
    const help = await cli(['help', 'simulate']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: eks-lambda-scaler simulate');
    const unknown = await cli(['help', 'frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });

  it.each([
    [['simulate', rel('sqs-worker.yaml'), '--rate', '-1'], '--rate must be a number greater than 0 (got "-1")'],
    [['simulate', rel('sqs-worker.yaml'), '--pods-per-node', '-3'], '--pods-per-node must be a whole number from 1 (got "-3")'],
    [['validate', rel('sqs-worker.yaml'), '-o', '-x'], '--output must be one of text, wide, json, yaml (got "-x")'],
    [['validate', rel('sqs-worker.yaml'), '--strict=yes'], 'option --strict takes no value'],
  ])('%j says what is wrong without the parser\'s text (exit 2)', async (argv, message) => {
    const outcome = await cli(argv);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(message);
    expect(outcome.stderr).not.toMatch(/ambiguous|ERR_PARSE_ARGS|To specify an option argument/);
  });
});

describe('one exit-code rule: region and credentials are usage errors, checked once', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('status without a region exits 2 naming the fix', async () => {
    const outcome = await cli(['status', '--table', 'scaler-state'], {});
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('status needs an AWS region: give --region R (or set env AWS_REGION)');
  });

  it('dry-run without credentials says so once, whatever the number of objects', async () => {
    // The SDK's default chain reads the process environment: leave it no source at all.
    const empty = tempDir();
    vi.stubEnv('AWS_ACCESS_KEY_ID', '');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', '');
    vi.stubEnv('AWS_PROFILE', '');
    vi.stubEnv('AWS_WEB_IDENTITY_TOKEN_FILE', '');
    vi.stubEnv('AWS_CONTAINER_CREDENTIALS_FULL_URI', '');
    vi.stubEnv('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', '');
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(empty, 'credentials'));
    vi.stubEnv('AWS_CONFIG_FILE', join(empty, 'config'));
    const outcome = await cli(['dry-run', rel('sqs-worker.yaml'), rel('kinesis-consumer.yaml'), '--cluster', 'prod', '--region', 'us-east-1'], {});
    expect(outcome.code).toBe(2);
    expect(outcome.stderr.match(/no usable AWS credentials/g)).toHaveLength(1);
    expect(outcome.stderr).toContain('aws sso login');
    expect(outcome.stdout).toBe('');
  });
});
