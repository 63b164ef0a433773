import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  assertSameBundle,
  extractZip,
  handlerEntry,
  packageLikeService,
  readFunctionZip,
  readServiceState,
  readSlsPackage,
  type ServiceState,
} from '../../../bench/package';
import { readServerlessYml } from '../../../bench/serverless-config';
import { readZip } from '../../../bench/zip';
import { zipOf } from './zip-fixture';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'credvend-bench-test-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A .serverless directory shaped as `sls package` leaves it: serverless-state.json and one zip per function. */
function slsOutput(zips: Record<string, Buffer>, handlers: Record<string, string>): string {
  const dir = tempDir();
  const functions = Object.fromEntries(
    Object.entries(handlers).map(([name, handler]) => [
      name,
      { handler, runtime: 'nodejs24.x', package: { artifact: `.serverless/${name}.zip` } },
    ]),
  );
  const state = {
    service: {
      service: 'credvend',
      provider: { name: 'aws', runtime: 'nodejs24.x', stage: 'ci' },
      custom: { esbuild: { minify: true, format: 'esm', outputFileExtension: '.mjs' } },
      functions,
    },
    package: { individually: true, artifactDirectoryName: 'serverless/credvend/ci/1', artifact: '' },
  };
  writeFileSync(join(dir, 'serverless-state.json'), JSON.stringify(state));
  for (const [name, zip] of Object.entries(zips)) writeFileSync(join(dir, `${name}.zip`), zip);
  return dir;
}

const CREDENTIALS = `export const issue=()=>1;export const container=()=>2;${'x'.repeat(3000)}`;
const HEALTH = `export const handler=()=>0;${'y'.repeat(1000)}`;

describe('readSlsPackage', () => {
  it("measures the handler module inside each function's zip: extracted bytes, zip bytes, each module once", () => {
    const credentials = zipOf({ 'handlers/credentials.mjs': CREDENTIALS });
    const dir = slsOutput(
      { health: zipOf({ 'handlers/health.mjs': HEALTH }), issueCredentials: credentials, containerCredentials: credentials },
      {
        health: 'handlers/health.handler',
        issueCredentials: 'handlers/credentials.issue',
        containerCredentials: 'handlers/credentials.container',
      },
    );
    const pkg = readSlsPackage(dir);
    expect(pkg.state).toMatchObject({
      service: 'credvend',
      stage: 'ci',
      provider: { runtime: 'nodejs24.x' },
      package: { individually: true },
    });
    expect(pkg.state.package).not.toHaveProperty('artifact');
    expect(pkg.state.custom.esbuild).toEqual({ minify: true, format: 'esm', outputFileExtension: '.mjs' });
    expect(pkg.handlers.map((h) => [h.path, h.functions, h.exportName, h.bytes, h.zipBytes])).toEqual([
      ['handlers/health.mjs', ['health'], 'handler', HEALTH.length, readFileSync(join(dir, 'health.zip')).length],
      ['handlers/credentials.mjs', ['issueCredentials', 'containerCredentials'], 'issue', CREDENTIALS.length, credentials.length],
    ]);
    // The bundle bytes are the module's, not the zip's nor its deflated entry's.
    const vend = pkg.handlers[1]!;
    expect(vend.compressedBytes).toBeLessThan(vend.bytes);
    expect(vend.zipBytes).toBeLessThan(vend.bytes);
    expect(vend.data.toString()).toBe(CREDENTIALS);
  });

  it('says how to make the package when it is missing or incomplete', () => {
    expect(() => readSlsPackage(join(tempDir(), 'nothing'))).toThrow(
      'serverless-state.json is missing): run `npx sls package --stage ci` first',
    );
    const dir = slsOutput({}, { health: 'handlers/health.handler' });
    expect(() => readSlsPackage(dir)).toThrow('health.zip is missing): run `npx sls package --stage ci` first');
  });

  it('fails when functions sharing a handler file hold different bytes for it', () => {
    const dir = slsOutput(
      { a: zipOf({ 'handlers/credentials.mjs': 'export const a=1' }), b: zipOf({ 'handlers/credentials.mjs': 'export const b=2' }) },
      { a: 'handlers/credentials.a', b: 'handlers/credentials.b' },
    );
    expect(() => readSlsPackage(dir)).toThrow('hold different handlers/credentials.mjs');
  });
});

describe('readServiceState', () => {
  it('refuses a state without functions', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'serverless-state.json'),
      JSON.stringify({ service: { provider: { name: 'aws', runtime: 'nodejs24.x' }, functions: {} } }),
    );
    expect(() => readServiceState(dir)).toThrow('no functions');
  });
});

describe('handlerEntry', () => {
  const entries = (...names: string[]) => readZip(zipOf(Object.fromEntries(names.map((n) => [n, 'x']))));

  it("finds the module as Lambda's Node.js runtime does: .js, then .mjs, then .cjs", () => {
    expect(handlerEntry(entries('handlers/a.cjs', 'handlers/a.mjs'), 'handlers/a.handler').name).toBe('handlers/a.mjs');
    expect(handlerEntry(entries('handlers/a.mjs', 'handlers/a.js'), 'handlers/a.handler').name).toBe('handlers/a.js');
    expect(handlerEntry(entries('handlers/a.cjs'), 'handlers/a.handler').name).toBe('handlers/a.cjs');
  });

  it('fails when the zip lacks the module', () => {
    expect(() => handlerEntry(entries('handlers/b.mjs'), 'handlers/a.handler')).toThrow('the zip holds no handlers/a.js, .mjs or .cjs');
    expect(() => handlerEntry(entries('handlers/a.mjs'), 'handler')).toThrow('is not <module>.<export>');
  });
});

describe('assertSameBundle', () => {
  it('passes identical bytes and names a stale package with the command that rebuilds it', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'old.zip'), zipOf({ 'handlers/credentials.mjs': 'old' }));
    writeFileSync(join(dir, 'same.zip'), zipOf({ 'handlers/credentials.mjs': 'old' }));
    writeFileSync(join(dir, 'new.zip'), zipOf({ 'handlers/credentials.mjs': 'newer' }));
    const read = (name: string) => readFunctionZip(join(dir, name), 'handlers/credentials.issue');
    expect(() => assertSameBundle(read('old.zip'), read('same.zip'), 'then')).not.toThrow();
    expect(() => assertSameBundle(read('old.zip'), read('new.zip'), 'then')).toThrow(
      /old\.zip \(built then\) holds handlers\/credentials\.mjs of 3 B, but serverless-esbuild packages handlers\/credentials\.mjs of 5 B .* run `npx sls package --stage ci` again/,
    );
  });
});

describe('extractZip', () => {
  it('writes every entry where it sits in the zip, and refuses entries outside the root', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'f.zip'), zipOf({ 'handlers/h.mjs': 'export const handler=1', 'node_modules/x/index.js': 'module.exports=1' }));
    const files = extractZip(join(dir, 'f.zip'), join(dir, 'task'));
    expect(files).toEqual([join(dir, 'task/handlers/h.mjs'), join(dir, 'task/node_modules/x/index.js')]);
    expect(readFileSync(join(dir, 'task/handlers/h.mjs'), 'utf8')).toBe('export const handler=1');
    writeFileSync(join(dir, 'evil.zip'), zipOf({ '../evil.js': 'x' }));
    expect(() => extractZip(join(dir, 'evil.zip'), join(dir, 'task'))).toThrow('refusing the entry ../evil.js');
    expect(existsSync(join(dir, 'evil.js'))).toBe(false);
  });
});

describe('packageLikeService', () => {
  const state = (esbuild: Record<string, unknown>): ServiceState => ({
    service: 'credvend',
    stage: 'test',
    provider: { name: 'aws', runtime: 'nodejs24.x' },
    custom: { esbuild },
    package: { individually: true },
    functions: {},
  });
  const esbuildDirBefore = existsSync(join(REPO_ROOT, '.esbuild'));

  it("packages with the state's options through serverless-esbuild itself, outside the repository", async () => {
    const yml = (readServerlessYml().custom as { esbuild: Record<string, unknown> }).esbuild;
    const banner = (yml.banner as { js: string }).js;
    const workDir = join(tempDir(), 'sls');
    const fn = { handler: 'bench/stats.median' };

    const zips = await packageLikeService(state(yml), { stats: fn }, { repoRoot: REPO_ROOT, workDir });
    expect(zips).toEqual({ stats: join(workDir, '.serverless/stats.zip') });
    const deployed = readFunctionZip(zips.stats!, fn.handler);
    // serverless.yml's options: ESM written as .mjs, the banner, minified (no indentation left).
    expect(deployed.path).toBe('bench/stats.mjs');
    expect(deployed.data.toString().startsWith(banner)).toBe(true);
    expect(deployed.data.toString()).not.toMatch(/\n {2}/);

    // The plugin's defaults where the state sets nothing: CommonJS as .js, not minified.
    mkdirSync(join(workDir, '..', 'plain'));
    const plain = await packageLikeService(state({}), { stats: fn }, { repoRoot: REPO_ROOT, workDir: join(workDir, '..', 'plain') });
    const bundle = readFunctionZip(plain.stats!, fn.handler);
    expect(bundle.path).toBe('bench/stats.js');
    expect(bundle.data.toString()).toContain('module.exports');
    expect(bundle.bytes).toBeGreaterThan(deployed.bytes);

    expect(existsSync(join(REPO_ROOT, '.esbuild'))).toBe(esbuildDirBefore);
  });
});
