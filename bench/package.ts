// The bundles the bench measures come from the deployment package: `npx sls package --stage ci`
// writes .serverless/<function>.zip (one per function, `package.individually: true`) and
// .serverless/serverless-state.json (the service as serverless resolved it). The handler module
// inside each zip is what Lambda runs, so its bytes are the bundle bytes and, extracted, it is what
// cold and warm time.
//
// The baseline is no function of serverless.yml, so it is packaged here by serverless-esbuild
// itself: the plugin's own code, given the packaged service's provider, `custom.esbuild` and
// packaging settings from serverless-state.json, runs the hook `sls package` runs into a temporary
// directory. No esbuild option is restated in the bench. The vend function is packaged alongside
// it and must come out byte for byte as in .serverless/: that proves the baseline was built as the
// package was, and that the package was built from the sources on disk.
import { existsSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readZip, type ZipEntry, zipEntryData } from './zip';

/** What makes the package the bench reads (`.ci/run` runs it before the bench). */
export const PACKAGE_COMMAND = 'npx sls package --stage ci';

type Json = Record<string, unknown>;

export interface PackagedFunctionDefinition {
  /** `handlers/credentials.issue`: module path, then the export. */
  handler: string;
  runtime?: string;
  /** The zip, relative to the service directory (`.serverless/issueCredentials.zip`). */
  artifact?: string;
}

/** The parts of serverless-state.json the bench uses. */
export interface ServiceState {
  service: string;
  stage: string;
  provider: Json & { name: string; runtime: string };
  custom: Json;
  /** The service's `package` section (`individually`, patterns…), without its artifact. */
  package: Json;
  functions: Record<string, PackagedFunctionDefinition>;
}

/** One handler module as packaged: the file Lambda loads from the function's zip. */
export interface PackagedBundle {
  /** Its path inside the zip (`handlers/credentials.mjs`). */
  path: string;
  /** Extracted size. */
  bytes: number;
  /** Its deflated size inside the zip. */
  compressedBytes: number;
  gzipBytes: number;
  /** The whole zip file (the Lambda deployment artifact). */
  zipBytes: number;
  zip: string;
  data: Buffer;
}

/** A handler module and the functions it serves (one handler file can serve several). */
export interface PackagedHandler extends PackagedBundle {
  functions: string[];
  /** The first function's export (`issue`). */
  exportName: string;
}

export interface SlsPackage {
  /** The .serverless directory. */
  dir: string;
  /** When serverless-state.json was written (the end of `sls package`). */
  builtAt: string;
  state: ServiceState;
  /** Each handler module once, in the order of serverless.yml's functions. */
  handlers: PackagedHandler[];
}

function missing(dir: string, what: string): Error {
  return new Error(`no usable \`sls package\` output in ${dir} (${what}): run \`${PACKAGE_COMMAND}\` first`);
}

/** Reads serverless-state.json: the service as `sls package` resolved and packaged it. */
export function readServiceState(dir: string): ServiceState {
  const file = join(dir, 'serverless-state.json');
  if (!existsSync(file)) throw missing(dir, 'serverless-state.json is missing');
  const state = JSON.parse(readFileSync(file, 'utf8')) as { service?: Json; package?: Json };
  const service = state.service ?? {};
  const provider = (service.provider ?? {}) as ServiceState['provider'];
  const functions = (service.functions ?? {}) as Record<string, Json>;
  if (typeof provider.name !== 'string' || typeof provider.runtime !== 'string' || Object.keys(functions).length === 0) {
    throw missing(dir, 'serverless-state.json has no provider runtime or no functions');
  }
  const { artifact: _artifact, ...packageSection } = (state.package ?? {}) as Json;
  const name = service.service;
  return {
    service: typeof name === 'string' ? name : String((name as Json | undefined)?.name ?? ''),
    stage: String(provider.stage ?? ''),
    provider,
    custom: (service.custom ?? {}) as Json,
    package: packageSection,
    functions: Object.fromEntries(
      Object.entries(functions).map(([fn, def]) => [
        fn,
        {
          handler: String(def.handler),
          ...(typeof def.runtime === 'string' ? { runtime: def.runtime } : {}),
          ...(typeof (def.package as Json | undefined)?.artifact === 'string'
            ? { artifact: (def.package as Json).artifact as string }
            : {}),
        },
      ]),
    ),
  };
}

/** `handlers/credentials.issue` -> module `handlers/credentials`, export `issue`. */
export function splitHandler(handler: string): { module: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0 || dot === handler.length - 1) throw new Error(`handler ${handler} is not <module>.<export>`);
  return { module: handler.slice(0, dot), exportName: handler.slice(dot + 1) };
}

/** The zip entry Lambda's Node.js runtime loads for `handler`: the module with .js, else .mjs, else .cjs. */
export function handlerEntry(entries: readonly ZipEntry[], handler: string): ZipEntry {
  const { module } = splitHandler(handler);
  for (const extension of ['.js', '.mjs', '.cjs']) {
    const entry = entries.find((e) => e.name === `${module}${extension}`);
    if (entry) return entry;
  }
  throw new Error(
    `the zip holds no ${module}.js, .mjs or .cjs for the handler ${handler} (it holds ${entries.map((e) => e.name).join(', ')})`,
  );
}

/** The handler module inside one function's zip, with its sizes. */
export function readFunctionZip(zipFile: string, handler: string): PackagedBundle {
  const zip = readFileSync(zipFile);
  const entry = handlerEntry(readZip(zip), handler);
  const data = zipEntryData(zip, entry);
  return {
    path: entry.name,
    bytes: entry.size,
    compressedBytes: entry.compressedSize,
    gzipBytes: gzipSync(data).length,
    zipBytes: zip.length,
    zip: zipFile,
    data,
  };
}

/**
 * Every line of code a function can run: its handler module and the modules beside it that the handler
 * imports lazily (`import("./x.mjs")`: the vend handler's OIDC verifier, scripts/esbuild-plugins.cjs).
 * The bundle budget counts the handler module; the grant check needs every call the function can make.
 */
export function readFunctionCode(zipFile: string, handler: string): string {
  const zip = readFileSync(zipFile);
  const entries = readZip(zip);
  const main = readFunctionZip(zipFile, handler);
  const dir = main.path.slice(0, main.path.lastIndexOf('/') + 1);
  let code = main.data.toString('utf8');
  for (const [, name] of code.matchAll(/import\(\s*["']\.\/([\w.-]+\.mjs)["']\s*\)/g)) {
    const entry = entries.find((e) => e.name === `${dir}${name}`);
    if (!entry) throw new Error(`${zipFile}: ${main.path} imports ./${name}, which is not in the zip`);
    code += `\n${zipEntryData(zip, entry).toString('utf8')}`;
  }
  return code;
}

/** The package in `dir` (.serverless): every function's zip, each handler module once. */
export function readSlsPackage(dir: string): SlsPackage {
  const state = readServiceState(dir);
  const handlers: PackagedHandler[] = [];
  for (const [name, fn] of Object.entries(state.functions)) {
    const zipFile = join(dir, `${name}.zip`);
    if (fn.artifact && !fn.artifact.endsWith(`/${name}.zip`))
      throw new Error(`function ${name} is packaged as ${fn.artifact}, not ${name}.zip: the bench expects package.individually`);
    if (!existsSync(zipFile)) throw missing(dir, `${name}.zip is missing`);
    const bundle = readFunctionZip(zipFile, fn.handler);
    const same = handlers.find((h) => h.path === bundle.path);
    if (!same) {
      handlers.push({ ...bundle, functions: [name], exportName: splitHandler(fn.handler).exportName });
      continue;
    }
    // serverless-esbuild builds a handler file once for all its functions.
    if (!same.data.equals(bundle.data)) throw new Error(`${same.zip} and ${zipFile} hold different ${bundle.path}`);
    same.functions.push(name);
  }
  return { dir, builtAt: statSync(join(dir, 'serverless-state.json')).mtime.toISOString(), state, handlers };
}

/** The subset of serverless-esbuild's plugin object the bench drives. */
interface EsbuildPlugin {
  hooks: Record<string, () => Promise<void>>;
  workDirPath?: string;
  buildDirPath?: string;
  disposeContexts(): Promise<void>;
}

type EsbuildPluginClass = new (serverless: unknown, options: Json, logging: { log: unknown }) => EsbuildPlugin;

/**
 * Packages `functions` as `sls package` packages the service in `state`: serverless-esbuild (the
 * copy in node_modules that `sls package` loads) gets a stand-in for serverless with the state's
 * provider, custom (esbuild options) and package settings, and runs its
 * `before:package:createDeploymentArtifacts` hook (bundle, externals, extras, zip) with its work
 * directory in `workDir`. Its cleanup hook, which would move the zips to the repository's
 * .serverless, is not run. Returns each function's zip.
 */
export async function packageLikeService(
  state: ServiceState,
  functions: Record<string, PackagedFunctionDefinition>,
  opts: { repoRoot: string; workDir: string; warn?: (line: string) => void },
): Promise<Record<string, string>> {
  // esbuild resolves the plugin's relative entry points against the working directory, as under sls.
  if (realpathSync(process.cwd()) !== realpathSync(opts.repoRoot)) {
    throw new Error(
      `the bench must run in ${opts.repoRoot} (serverless-esbuild builds relative to the working directory), not ${process.cwd()}`,
    );
  }
  const require = createRequire(join(opts.repoRoot, 'package.json'));
  const Plugin = require('serverless-esbuild') as EsbuildPluginClass;
  const serverlessVersion = (require('serverless/package.json') as { version: string }).version;
  const defs = Object.fromEntries(Object.entries(functions).map(([name, { artifact: _artifact, ...def }]) => [name, { ...def }]));
  const serverless = {
    config: { serviceDir: opts.repoRoot },
    service: {
      service: state.service,
      provider: state.provider,
      custom: state.custom,
      package: { ...state.package },
      functions: defs,
      getFunction: (name: string) => defs[name],
    },
    configSchemaHandler: { defineFunctionProperties: () => undefined },
    classes: { Error },
    getVersion: () => serverlessVersion,
  };
  const quiet = () => undefined;
  const warn = (message: unknown) => opts.warn?.(`serverless-esbuild: ${String(message)}`);
  const log = Object.assign(quiet, {
    error: warn,
    warning: warn,
    notice: quiet,
    info: quiet,
    debug: quiet,
    verbose: quiet,
    success: quiet,
  });
  const plugin = new Plugin(serverless, {}, { log });
  await plugin.hooks.initialize!();
  // init() put the work directory in the repository (.esbuild); the bench's stays out of it.
  plugin.workDirPath = opts.workDir;
  plugin.buildDirPath = join(opts.workDir, '.build');
  try {
    await plugin.hooks['before:package:createDeploymentArtifacts']!();
  } finally {
    await plugin.disposeContexts();
  }
  return Object.fromEntries(
    Object.keys(functions).map((name) => {
      const zip = join(opts.workDir, '.serverless', `${name}.zip`);
      if (!existsSync(zip)) throw new Error(`serverless-esbuild wrote no ${name}.zip`);
      return [name, zip];
    }),
  );
}

/**
 * Throws unless `rebuilt` (packaged now by serverless-esbuild) holds the very bytes of `packaged`
 * (from .serverless): otherwise the package is older than the sources, or was built otherwise, and
 * the baseline packaged now would not compare like for like with it.
 */
export function assertSameBundle(packaged: PackagedBundle, rebuilt: PackagedBundle, builtAt: string): void {
  if (packaged.path === rebuilt.path && packaged.data.equals(rebuilt.data)) return;
  throw new Error(
    `${packaged.zip} (built ${builtAt}) holds ${packaged.path} of ${packaged.bytes.toLocaleString('en-US')} B, but serverless-esbuild packages ` +
      `${rebuilt.path} of ${rebuilt.bytes.toLocaleString('en-US')} B from the sources now: the package is stale or was built with other options; ` +
      `run \`${PACKAGE_COMMAND}\` again`,
  );
}

/**
 * Extracts a whole function zip under `root`, as Lambda unpacks it into /var/task (the handler module
 * and whatever else serverless-esbuild put beside it); returns the files written.
 */
export function extractZip(zipFile: string, root: string): string[] {
  const zip = readFileSync(zipFile);
  return readZip(zip)
    .filter((entry) => !entry.name.endsWith('/'))
    .map((entry) => {
      if (isAbsolute(entry.name) || entry.name.split(/[\\/]/).includes('..'))
        throw new Error(`${zipFile}: refusing the entry ${entry.name}`);
      const file = join(root, entry.name);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, zipEntryData(zip, entry));
      return file;
    });
}
