// What the benchmark needs from serverless.yml: the esbuild options serverless-esbuild builds
// with, the functions, and the functions' environment. Read from the file itself, so the bench
// cannot drift from the deployment.
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { SERVERLESS_YML } from '../local/tables';

type Yaml = Record<string, unknown>;

export interface ServerlessFunction {
  name: string;
  /** Source file of the handler, relative to the repository (`handlers/credentials.ts`). */
  entry: string;
  /** Export name (`issue`). */
  exportName: string;
}

export interface ServerlessConfig {
  esbuild: Record<string, unknown>;
  runtime: string;
  functions: ServerlessFunction[];
  /** provider.environment with ${…} variables resolved for `stage`. */
  environment: Record<string, string>;
}

/**
 * The sections read here carry no CloudFormation tags; the resource sections do (!GetAtt, !Sub…),
 * so their "unresolved tag" warnings are expected and ignored. Errors are not.
 */
export function readServerlessYml(file = SERVERLESS_YML): Yaml {
  const doc = parseDocument(readFileSync(file, 'utf8'));
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
  const unexpected = doc.warnings.filter((w) => w.code !== 'TAG_RESOLVE_FAILED');
  if (unexpected.length > 0) throw new Error(`${file}: ${unexpected.map((w) => w.message).join('; ')}`);
  return doc.toJS() as Yaml;
}

function lookup(doc: Yaml, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Yaml | undefined)?.[key], doc);
}

/** Resolves the variable forms the environment uses: ${sls:stage}, ${opt:…, default}, ${self:…}, ${param:…}. */
export function resolveVariables(text: string, doc: Yaml, stage: string): string {
  let previous: string;
  let out = text;
  do {
    previous = out;
    out = out.replace(/\$\{([^{}]+)\}/g, (whole, expr: string) => {
      const [source = '', fallback] = expr.split(/,\s*/, 2);
      let value: unknown;
      if (source === 'sls:stage' || source === 'opt:stage') value = stage;
      else if (source.startsWith('self:')) value = lookup(doc, source.slice(5));
      else if (source.startsWith('param:')) {
        const name = source.slice('param:'.length);
        value = lookup(doc, `params.${stage}.${name}`) ?? lookup(doc, `params.default.${name}`);
      }
      if (typeof value === 'string' || typeof value === 'number') return String(value);
      return fallback !== undefined ? fallback.replace(/^['"]|['"]$/g, '') : whole;
    });
  } while (out !== previous);
  return out;
}

export function serverlessConfig(stage: string, doc: Yaml = readServerlessYml()): ServerlessConfig {
  const provider = (doc.provider ?? {}) as Yaml;
  const custom = (doc.custom ?? {}) as Yaml;
  const functions = Object.entries((doc.functions ?? {}) as Record<string, Yaml>).map(([name, fn]) => {
    const handler = String(fn.handler);
    const dot = handler.lastIndexOf('.');
    return { name, entry: `${handler.slice(0, dot)}.ts`, exportName: handler.slice(dot + 1) };
  });
  const environment: Record<string, string> = {};
  for (const [name, raw] of Object.entries((provider.environment ?? {}) as Record<string, unknown>)) {
    const value = resolveVariables(String(raw), doc, stage);
    if (value.includes('${')) throw new Error(`serverless.yml: cannot resolve provider.environment.${name} = ${String(raw)}`);
    environment[name] = value;
  }
  return { esbuild: (custom.esbuild ?? {}) as Record<string, unknown>, runtime: String(provider.runtime), functions, environment };
}
