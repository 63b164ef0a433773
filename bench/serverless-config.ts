// What the benchmark needs from serverless.yml: the functions, their runtime and environment, and
// the expiry audit's schedule. Read from the file itself, so the bench cannot drift from the
// deployment. (The bundles and their esbuild options come from the `sls package` output instead:
// bench/package.ts.)
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
  return { runtime: String(provider.runtime), functions, environment };
}

/** The expiry audit as deployed: its function, its EventBridge schedule and the environment it runs with. */
export interface AuditFunctionConfig {
  name: string;
  /** The schedule expression after variables are resolved, e.g. `rate(15 minutes)`. */
  schedule: string;
  /** Time between two scheduled runs. */
  periodMs: number;
  /** provider.environment with the function's own environment over it, resolved for `stage`. */
  environment: Record<string, string>;
}

const RATE_UNIT_MS: Record<string, number> = { minute: 60_000, minutes: 60_000, hour: 3_600_000, hours: 3_600_000 };

/**
 * The period of an EventBridge `rate(N minutes|hours)` expression. As EventBridge requires, the unit
 * is singular for 1 and plural otherwise. Anything else (cron, days, seconds) throws: the bench models
 * runs at a fixed period and would not know when a cron schedule fires.
 */
export function ratePeriodMs(expression: string): number {
  const match = /^rate\((\d+) (minutes?|hours?)\)$/.exec(expression.trim());
  const n = match ? Number(match[1]) : 0;
  const unit = match?.[2] ?? '';
  if (!match || n < 1 || (n === 1) !== !unit.endsWith('s')) {
    throw new Error(
      `the expiry audit's schedule "${expression}" is not rate(N minutes|hours) (rate(1 minute), rate(1 hour) for one); the bench cannot model it`,
    );
  }
  return n * RATE_UNIT_MS[unit]!;
}

/** The function serving `entry` (the expiry audit's handler file), with its one schedule event. */
export function auditFunctionConfig(
  stage: string,
  doc: Yaml = readServerlessYml(),
  entry = 'handlers/expiry-audit.ts',
): AuditFunctionConfig {
  const provider = serverlessConfig(stage, doc);
  const fn = provider.functions.find((f) => f.entry === entry);
  if (!fn) throw new Error(`serverless.yml: no function has the handler ${entry}`);
  const raw = ((doc.functions as Record<string, Yaml>)[fn.name] ?? {}) as Yaml;
  const schedules = ((raw.events ?? []) as Yaml[]).filter((e) => e && typeof e === 'object' && 'schedule' in e).map((e) => e.schedule);
  if (schedules.length !== 1)
    throw new Error(`serverless.yml: function ${fn.name} has ${schedules.length} schedule events; the bench needs exactly one`);
  const event = schedules[0];
  // `schedule: rate(…)` or `schedule: { rate: rate(…) | [rate(…)], … }`.
  const rates = typeof event === 'string' ? [event] : ([] as unknown[]).concat((event as Yaml | undefined)?.rate ?? []);
  if (rates.length !== 1 || typeof rates[0] !== 'string')
    throw new Error(`serverless.yml: function ${fn.name}'s schedule is not one rate expression`);
  const schedule = resolveVariables(rates[0], doc, stage);
  const environment = { ...provider.environment };
  for (const [name, value] of Object.entries((raw.environment ?? {}) as Record<string, unknown>)) {
    const resolved = resolveVariables(String(value), doc, stage);
    if (resolved.includes('${'))
      throw new Error(`serverless.yml: cannot resolve functions.${fn.name}.environment.${name} = ${String(value)}`);
    environment[name] = resolved;
  }
  return { name: fn.name, schedule, periodMs: ratePeriodMs(schedule), environment };
}
