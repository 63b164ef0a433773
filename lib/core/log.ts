// The one structured logger: one JSON object per line, in the shape of Powertools Logger's
// (level, message, timestamp, service, then keys). Never log an event, a body, a key or a credential
// whole. Written here because Powertools Logger adds ~20 KB to every bundle (README.md) for
// what is three methods and two fields.

import { invocation as defaultInvocation, type InvocationSlot } from './invocation';

const LEVELS = { DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, SILENT: 28 } as const;
export type LogLevel = keyof typeof LEVELS;
export type LogAttributes = Record<string, unknown>;

function levelFrom(env: NodeJS.ProcessEnv): LogLevel {
  // Powertools' and Lambda's own variables, so advanced logging controls keep working.
  const raw = (env.POWERTOOLS_LOG_LEVEL ?? env.AWS_LAMBDA_LOG_LEVEL ?? env.LOG_LEVEL ?? 'INFO').toUpperCase();
  return raw in LEVELS ? (raw as LogLevel) : 'INFO';
}

/** Errors keep only their name and message (SDK errors carry request data): never a stack or cause. */
function safeValue(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (typeof value === 'bigint') return value.toString();
  return value;
}

export class JsonLogger {
  private threshold: number;
  private persistent: LogAttributes = {};

  constructor(
    private readonly service: string,
    level: LogLevel = levelFrom(process.env),
    private readonly write: (line: string, level: LogLevel) => void = (line, lvl) =>
      (lvl === 'WARN' || lvl === 'ERROR' ? process.stderr : process.stdout).write(`${line}\n`),
    private readonly invocation: InvocationSlot = defaultInvocation,
    private readonly metricsNamespace: string = process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'credvend',
  ) {
    this.threshold = LEVELS[level];
  }

  setLogLevel(level: LogLevel): void {
    this.threshold = LEVELS[level];
  }

  /**
   * Keys added to every following line until removed: inside an invocation (lib/core/invocation.ts),
   * to that invocation's lines only; outside one, to every line.
   */
  appendKeys(keys: LogAttributes): void {
    const current = this.invocation.get();
    if (current) Object.assign(current.logKeys, keys);
    else this.persistent = { ...this.persistent, ...keys };
  }

  removeKeys(keys: string[]): void {
    const current = this.invocation.get();
    const next = { ...(current ? current.logKeys : this.persistent) };
    for (const key of keys) delete next[key];
    if (current) current.logKeys = next;
    else this.persistent = next;
  }

  debug(message: string, extra?: LogAttributes | Error): void {
    this.log('DEBUG', message, extra);
  }
  info(message: string, extra?: LogAttributes | Error): void {
    this.log('INFO', message, extra);
  }
  warn(message: string, extra?: LogAttributes | Error): void {
    this.log('WARN', message, extra);
  }
  error(message: string, extra?: LogAttributes | Error): void {
    this.log('ERROR', message, extra);
  }

  /**
   * One CloudWatch embedded-metric-format line, as Powertools Metrics writes it (namespace from
   * POWERTOOLS_METRICS_NAMESPACE, dimension service), whatever the log level: alarms read it. Written
   * here because Powertools Metrics would add 13 KB to the vend bundle, past its budget (bench/README.md).
   */
  metric(name: string, value: number, unit: 'Count' | 'Milliseconds' = 'Count'): void {
    const emf = {
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [{ Namespace: this.metricsNamespace, Dimensions: [['service']], Metrics: [{ Name: name, Unit: unit }] }],
      },
      service: this.service,
      [name]: value,
    };
    this.write(JSON.stringify(emf), 'INFO');
  }

  private log(level: LogLevel, message: string, extra: LogAttributes | Error | undefined): void {
    if (LEVELS[level] < this.threshold) return;
    const attributes = extra instanceof Error ? { error: extra } : extra;
    const entry = {
      level,
      message,
      timestamp: new Date().toISOString(),
      service: this.service,
      ...this.persistent,
      ...this.invocation.get()?.logKeys,
      ...attributes,
    };
    let line: string;
    try {
      line = JSON.stringify(entry, safeValue);
    } catch {
      // A circular or otherwise unserialisable attribute: keep the line, drop the attributes.
      line = JSON.stringify({ level, message, timestamp: entry.timestamp, service: this.service, unserialisable: true });
    }
    this.write(line, level);
  }
}

export const logger = new JsonLogger(process.env.POWERTOOLS_SERVICE_NAME ?? 'credvend');
