// Builds handler bundles the way `sls package` does: serverless-esbuild (1.57) merges its defaults,
// the runtime's target and `custom.esbuild` (deep merge, arrays replaced), drops its own
// plugin-only options, turns `exclude` into `external` and `outputFileExtension` into
// `outExtension`, and bundles each handler file into `<outdir>/<dir of entry>/<name><ext>`.
// The same steps here, with esbuild's JS API.
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type BuildOptions } from 'esbuild';
import type { ServerlessConfig } from './serverless-config';

/** serverless-esbuild's DEFAULT_BUILD_OPTIONS, as far as they reach esbuild. */
const PLUGIN_DEFAULTS: Record<string, unknown> = { bundle: true, target: 'node18', external: [], exclude: ['aws-sdk'], platform: 'node' };

/** serverless-esbuild's AWS runtime -> esbuild target table (the entries a Lambda can use today). */
const RUNTIME_TARGETS: Record<string, string> = { 'nodejs22.x': 'node22', 'nodejs20.x': 'node20', 'nodejs18.x': 'node18' };

/** Options serverless-esbuild reads itself and removes before calling esbuild. */
const PLUGIN_ONLY_OPTIONS = [
  'concurrency', 'zipConcurrency', 'exclude', 'nativeZip', 'packager', 'packagePath', 'watch', 'keepOutputDirectory',
  'packagerOptions', 'installExtraArgs', 'outputFileExtension', 'outputBuildFolder', 'outputWorkFolder', 'nodeExternals',
  'skipBuild', 'skipRebuild', 'skipBuildExcludeFns', 'stripEntryResolveExtensions', 'disposeContext', 'config',
];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** ramda's mergeDeepRight: objects merge recursively, anything else (arrays included) from the right. */
export function mergeDeepRight(left: Record<string, unknown>, right: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...left };
  for (const [key, value] of Object.entries(right)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? mergeDeepRight(current, value) : value;
  }
  return out;
}

/** The esbuild options serverless-esbuild would pass for every function (entry and outdir aside). */
export function deploymentBuildOptions(config: Pick<ServerlessConfig, 'esbuild' | 'runtime'>): BuildOptions {
  if (typeof config.esbuild.config === 'string') {
    throw new Error('custom.esbuild.config (a JS config file) is not supported by the bench; inline the options');
  }
  if (config.esbuild.plugins !== undefined) throw new Error('custom.esbuild.plugins are not supported by the bench');
  const target = RUNTIME_TARGETS[config.runtime];
  const merged = mergeDeepRight(mergeDeepRight(PLUGIN_DEFAULTS, target ? { target } : {}), config.esbuild);
  const extension = typeof merged.outputFileExtension === 'string' ? merged.outputFileExtension : '.js';
  const esm = merged.format === 'esm' || (merged.platform === 'neutral' && merged.format === undefined);
  if ((esm && extension === '.cjs') || (!esm && extension === '.mjs')) {
    throw new Error(`custom.esbuild: format ${String(merged.format)} cannot be written as ${extension}`);
  }
  const asStrings = (value: unknown): string[] =>
    (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((v): v is string => typeof v === 'string');
  const exclude = asStrings(merged.exclude);
  const external = [...asStrings(merged.external), ...(exclude.includes('*') ? [] : exclude)];
  const options = Object.fromEntries(Object.entries(merged).filter(([key]) => !PLUGIN_ONLY_OPTIONS.includes(key)));
  return { ...options, external, ...(extension !== '.js' ? { outExtension: { '.js': extension } } : {}) } as BuildOptions;
}

export interface BuiltBundle {
  /** Source entry, relative to the repository. */
  entry: string;
  /** Absolute path of the built .js file. */
  file: string;
  bytes: number;
  gzipBytes: number;
}

export interface BundleSet {
  dir: string;
  options: BuildOptions;
  build(entry: string): Promise<BuiltBundle>;
}

/**
 * A fresh build directory outside the repository, with a package.json that says how Node must read
 * `.js` bundles (the repository's own says "type": "module" whatever the bundle format).
 */
export function bundleSet(repoRoot: string, options: BuildOptions): BundleSet {
  const dir = mkdtempSync(join(tmpdir(), 'credvend-bench-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: options.format === 'esm' ? 'module' : 'commonjs' }));
  const built = new Map<string, Promise<BuiltBundle>>();
  const buildOne = async (entry: string): Promise<BuiltBundle> => {
    const outdir = join(dir, dirname(entry));
    mkdirSync(outdir, { recursive: true });
    const result = await build({ ...options, absWorkingDir: repoRoot, entryPoints: [entry], outdir, logLevel: 'silent' });
    if (result.errors.length > 0) throw new Error(`esbuild failed for ${entry}: ${result.errors.map((e) => e.text).join('; ')}`);
    const extension = options.outExtension?.['.js'] ?? '.js';
    const base = entry.slice(entry.lastIndexOf('/') + 1).replace(/\.[cm]?[jt]sx?$/, extension);
    const file = join(outdir, base);
    return { entry: relative(repoRoot, join(repoRoot, entry)), file, bytes: statSync(file).size, gzipBytes: gzipSync(readFileSync(file)).length };
  };
  return {
    dir,
    options,
    // Files holding several handlers are built once, as serverless-esbuild does.
    build: (entry) => {
      let pending = built.get(entry);
      if (!pending) built.set(entry, (pending = buildOne(entry)));
      return pending;
    },
  };
}
