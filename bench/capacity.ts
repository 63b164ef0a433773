// The capacity model behind `npm run capacity` (scripts/capacity.ts): write units per second on the
// hottest partition key of the issuance table, of each of its indexes and of the main table's rate
// window items, at a given load, and what a million issuances cost.
//
// Nothing here restates the layout: records are made by the issuance flow itself (issueCredentials
// with in-memory ports), stored items by the ledger's issuanceItem, their keys by lib/core/table-keys.ts,
// the audit's status change by its own statusKeyOfItem, and the indexes and projections are read
// from serverless.yml (the legacy layout: today's keys without shards, every index projecting ALL).
// Sizes follow DynamoDB's rules (attribute names + values, CapacityUnitCalculations); a write costs
// ceil(bytes / 1 KB) units, at least 1, for the item and again for each index entry it puts, deletes
// or changes (an index key that changes is a delete and a put there).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { statusKeyOfItem } from '../lib/audit/checks';
import type { IssuanceRecord, Partner, Tenant, TenantPolicy } from '../lib/core/model';
import { type IssuanceLayout, RATE_SHARDS, tableKeys } from '../lib/core/table-keys';
import { toStored } from '../lib/store/dynamo';
import { issuanceItem } from '../lib/store/issuance-ledger';
import { type IssueDeps, issueCredentials } from '../lib/vend/issue';
import { demoBinding, demoPolicy } from '../local/seed';
import { readServerlessYml } from './serverless-config';

export const PARTITION_WCU_LIMIT = 1000;
const RETENTION_DAYS = 400;

// ---------------------------------------------------------------------------------------------
// Sizes

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

/** A number's size: one byte per two significant digits, plus one. */
function numberSize(text: string): number {
  const digits = text
    .replace(/^-/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return utf8(v.S);
  if (v.N !== undefined) return numberSize(v.N);
  if (v.B !== undefined) return v.B.length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS !== undefined) return v.SS.reduce((n, s) => n + utf8(s), 0);
  if (v.NS !== undefined) return v.NS.reduce((n, s) => n + numberSize(s), 0);
  if (v.L !== undefined) return 3 + v.L.reduce((n, e) => n + 1 + valueSize(e), 0);
  if (v.M !== undefined) return 3 + Object.entries(v.M).reduce((n, [k, e]) => n + 1 + utf8(k) + valueSize(e), 0);
  throw new Error(`no size rule for ${JSON.stringify(v)}`);
}

/** An item's size as DynamoDB counts it for capacity: attribute names plus values. */
export function itemBytes(item: Record<string, unknown>): number {
  return Object.entries(toStored(item)).reduce((n, [name, value]) => n + utf8(name) + valueSize(value), 0);
}

export const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
/** Storage counts 100 bytes of overhead per item, in the table and in each index. */
export const STORAGE_OVERHEAD_BYTES = 100;

// ---------------------------------------------------------------------------------------------
// Layouts

type Item = Record<string, unknown>;

export interface IndexShape {
  name: string;
  hash: string;
  range: string;
  /** 'ALL', 'KEYS_ONLY', or the non-key attributes of an INCLUDE. */
  projection: 'ALL' | 'KEYS_ONLY' | string[];
}

export interface Layout {
  name: IssuanceLayout;
  indexes: IndexShape[];
  itemOf(record: IssuanceRecord): Item;
  /** The rate window item an issuance counts on (its `turn`: the limiter takes its counters in turn). */
  rateKey(tenantId: string, partnerId: string, turn: number): string;
}

type Yaml = Record<string, unknown>;

/** The issuance table's indexes as serverless.yml defines them. */
export function configuredIndexes(file?: string): IndexShape[] {
  const resources = ((readServerlessYml(file).resources as Yaml | undefined)?.Resources ?? {}) as Record<string, Yaml>;
  const props = (resources.IssuanceTable?.Properties ?? {}) as Yaml;
  const gsis = (props.GlobalSecondaryIndexes ?? []) as Yaml[];
  return gsis.map((gsi) => {
    const schema = gsi.KeySchema as { AttributeName: string; KeyType: string }[];
    const key = (type: string) => String(schema.find((k) => k.KeyType === type)?.AttributeName);
    const projection = gsi.Projection as { ProjectionType: string; NonKeyAttributes?: string[] };
    return {
      name: String(gsi.IndexName),
      hash: key('HASH'),
      range: key('RANGE'),
      projection:
        projection.ProjectionType === 'INCLUDE' ? (projection.NonKeyAttributes ?? []) : (projection.ProjectionType as 'ALL' | 'KEYS_ONLY'),
    };
  });
}

export function layoutOf(name: IssuanceLayout, file?: string): Layout {
  const configured = configuredIndexes(file);
  return {
    name,
    // Before sharding every index projected ALL.
    indexes: name === 'legacy' ? configured.map((index) => ({ ...index, projection: 'ALL' as const })) : configured,
    itemOf: (record) => issuanceItem(record, RETENTION_DAYS, name),
    rateKey:
      name === 'legacy'
        ? (t, p) => `RATE#${t}#${p}` // one window item per partner, as before sharding
        : (t, p, turn) => tableKeys.rateWindow(t, p, 0, turn % RATE_SHARDS).pk,
  };
}

function project(item: Item, index: IndexShape): Item | undefined {
  if (typeof item[index.hash] !== 'string' || typeof item[index.range] !== 'string') return undefined; // not in the index
  if (index.projection === 'ALL') return { ...item };
  const keep = new Set(['pk', 'sk', index.hash, index.range, ...(index.projection === 'KEYS_ONLY' ? [] : index.projection)]);
  return Object.fromEntries(Object.entries(item).filter(([name]) => keep.has(name)));
}

// ---------------------------------------------------------------------------------------------
// Writes

/** One write on one partition key of a table or index. */
export interface Write {
  target: string;
  key: string;
  units: number;
}

const TABLE = 'issuance table';
const RATE = 'main table (rate window)';

/** The writes of a put of `item`: the item, and an entry in each index it has keys for. */
export function putWrites(layout: Layout, item: Item): Write[] {
  const writes: Write[] = [{ target: TABLE, key: String(item.pk), units: writeUnits(itemBytes(item)) }];
  for (const index of layout.indexes) {
    const entry = project(item, index);
    if (entry) writes.push({ target: index.name, key: String(entry[index.hash]), units: writeUnits(itemBytes(entry)) });
  }
  return writes;
}

/** The audit's status change, as its UpdateItem does it (status, statusKey), and what it costs in each index. */
export function expiredItem(item: Item): Item {
  return { ...item, status: 'expired', statusKey: statusKeyOfItem(item, 'expired') };
}

export function updateWrites(layout: Layout, before: Item, after: Item): Write[] {
  const writes: Write[] = [{ target: TABLE, key: String(before.pk), units: writeUnits(Math.max(itemBytes(before), itemBytes(after))) }];
  for (const index of layout.indexes) {
    const old = project(before, index);
    const now = project(after, index);
    const oldKey = old && `${String(old[index.hash])}|${String(old[index.range])}`;
    const newKey = now && `${String(now[index.hash])}|${String(now[index.range])}`;
    if (old && now && oldKey === newKey) {
      if (JSON.stringify(old) !== JSON.stringify(now)) {
        writes.push({ target: index.name, key: String(now[index.hash]), units: writeUnits(Math.max(itemBytes(old), itemBytes(now))) });
      }
      continue;
    }
    if (old) writes.push({ target: index.name, key: String(old[index.hash]), units: writeUnits(itemBytes(old)) });
    if (now) writes.push({ target: index.name, key: String(now[index.hash]), units: writeUnits(itemBytes(now)) });
  }
  return writes;
}

// ---------------------------------------------------------------------------------------------
// Records, made by the issuance flow

export type Profile = 'typical' | 'large';

export const PROFILES: Record<Profile, string> = {
  typical: 'ids of 16 characters, an SDK user agent of 104 characters, no scope, assume-role',
  large: 'ids of 32 characters, a user agent of 512 characters, a scope of 2 actions and 5 resources, assume-role',
};

const SDK_USER_AGENT = 'aws-sdk-js/3.700.0 ua/2.1 os/linux#6.1.0 lang/js md/nodejs#22.11.0 api/credvend#1.0.0 m/E,N cfg/retry-mode#std';

/** Deterministic, UUID-shaped: the simulation gives the same figures on every run. */
export function simulatedId(n: number): string {
  const h = createHash('sha256').update(`capacity-${n}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const AT = new Date('2026-03-10T10:00:00.123Z');

/** A record exactly as the issuance flow writes it for `tenantId`/`partnerId`, with STS answering as AWS does. */
export async function issuedRecord(tenantId: string, partnerId: string, issuanceId: string, profile: Profile): Promise<IssuanceRecord> {
  const roleArn = `arn:aws:iam::123456789012:role/credvend/${tenantId}-partner-access`;
  const tenant: Tenant = {
    tenantId,
    name: tenantId,
    status: 'enabled',
    createdAt: AT.toISOString(),
    binding: demoBinding(tenantId, roleArn, 'cv-abcdefghijklmnopqrstuvwxyz234567', AT.toISOString()),
  };
  const partner: Partner = { tenantId, partnerId, name: partnerId, status: 'enabled', createdAt: AT.toISOString() };
  const policy: TenantPolicy = { tenantId, version: 7, document: demoPolicy(), updatedAt: AT.toISOString() };
  let recorded: IssuanceRecord | undefined;
  const deps: IssueDeps = {
    directory: { getPartnerContext: async () => ({ tenant, partner, policy }) },
    ledger: {
      record: async (record) => {
        recorded = record;
      },
    },
    sts: {
      assumeRole: async (req) => ({
        accessKeyId: `ASIA${'Q'.repeat(16)}`,
        secretAccessKey: 'not-a-secret',
        sessionToken: 'not-a-token',
        expiration: new Date(AT.getTime() + req.durationSeconds * 1000),
        principalArn: `arn:aws:sts::123456789012:assumed-role/${roleArn.split('/').at(-1)}/${req.roleSessionName}`,
        principalId: `AROA${'R'.repeat(17)}:${req.roleSessionName}`,
        packedPolicySize: 12,
      }),
      getFederationToken: async () => {
        throw new Error('the profiles use assume-role');
      },
    },
    now: () => AT,
    newId: () => issuanceId,
    mfa: { check: async () => false },
  };
  const scope =
    profile === 'large'
      ? {
          actions: ['s3:GetObject', 's3:PutObject'],
          resources: [1, 2, 3, 4, 5].map((n) => `arn:aws:s3:::demo-bucket/${tenantId}/${partnerId}/exports/2026/03/${n}/*`),
        }
      : undefined;
  await issueCredentials(
    deps,
    {
      caller: { kind: 'partner', keyId: `pk-${'A'.repeat(26)}`, tenantId, partnerId },
      requestId: 'Ab1CdEfGhIjKlMn=',
      sourceIp: '203.0.113.45',
      userAgent: profile === 'large' ? 'u'.repeat(512) : SDK_USER_AGENT,
    },
    { mode: 'assume-role', durationSeconds: 3600, ...(scope ? { scope } : {}) },
  );
  if (!recorded) throw new Error('the issuance flow recorded nothing');
  return recorded;
}

/** An id of `length` characters valid as a tenant or partner id. */
const idOf = (prefix: string, n: number, length: number) => `${prefix}-${String(n).padStart(length - prefix.length - 1, '0')}`;

// ---------------------------------------------------------------------------------------------
// Per issuance: write units and stored bytes

export interface PerIssuance {
  itemBytes: number;
  /** Units when issued (the item and each index entry), when the audit marks it expired, and the rate window. */
  units: { issue: number; expire: number; rate: number; total: number };
  /** Bytes kept for the retention period: the item and each index entry after expiry, with the per-item overhead. */
  storedBytes: number;
  /** The same per table/index. */
  byTarget: { target: string; bytes: number; issueUnits: number; expireUnits: number }[];
}

export function perIssuance(layout: Layout, record: IssuanceRecord): PerIssuance {
  const item = layout.itemOf(record);
  const after = expiredItem(item);
  const issue = putWrites(layout, item);
  const expire = updateWrites(layout, item, after);
  const stored = [TABLE, ...layout.indexes.map((i) => i.name)].map((target) => {
    const entry = target === TABLE ? after : project(after, required(layout.indexes.find((i) => i.name === target)));
    return {
      target,
      bytes: entry ? itemBytes(entry) + STORAGE_OVERHEAD_BYTES : 0,
      issueUnits: issue.filter((w) => w.target === target).reduce((n, w) => n + w.units, 0),
      expireUnits: expire.filter((w) => w.target === target).reduce((n, w) => n + w.units, 0),
    };
  });
  const sum = (writes: Write[]) => writes.reduce((n, w) => n + w.units, 0);
  const units = { issue: sum(issue), expire: sum(expire), rate: 1 };
  return {
    itemBytes: itemBytes(item),
    units: { ...units, total: units.issue + units.expire + units.rate },
    storedBytes: stored.reduce((n, s) => n + s.bytes, 0),
    byTarget: stored,
  };
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('missing');
  return value;
}

// ---------------------------------------------------------------------------------------------
// The load

export interface Load {
  /** Issuances per second, service-wide. */
  rate: number;
  /** Of those, one tenant's. */
  tenantRate: number;
  /** Of the tenant's, one partner's. */
  partnerRate: number;
}

export const TARGET_LOAD: Load = { rate: 10_000, tenantRate: 5_000, partnerRate: 2_000 };

/** Partners the hot tenant's other issuances come from; tenants (and their partners) the rest come from. */
const OTHER_PARTNERS = 10;
const OTHER_TENANTS = 50;
const PARTNERS_PER_OTHER_TENANT = 5;

export const ASSUMPTIONS = [
  'One second of the load, every issuance a record of the chosen profile made by the issuance flow itself.',
  `The busiest partner belongs to the busiest tenant; the tenant's other issuances come from ${OTHER_PARTNERS} partners, the rest of the service's from ${OTHER_TENANTS} tenants of ${PARTNERS_PER_OTHER_TENANT} partners each, evenly.`,
  'Steady state: the audit marks as many records expired per second as are issued, spread the same way, and every credential has the same lifetime, so the puts and the status changes of one second fall in the same expiry hour (the worst case for byExpiry).',
  "Every issuance counts once on its partner's rate window (the service-wide per-partner ceiling); the limiter takes the counters in turn. The key-last-used write (at most once per key per 5 minutes) and directory reads (cached) are left out.",
  'Write units: ceil(item bytes / 1 KB), at least 1, per item and per index entry written; an index key that changes is a delete and a put; an update costs the larger of the item before and after. Reads are not modelled (the limit is 3,000 read units per partition key; reads here are admin pages and the audit, both spread over the shards).',
];

export interface Hottest {
  target: string;
  key: string;
  wcuPerSecond: number;
  keys: number;
}

export interface Simulation {
  layout: IssuanceLayout;
  load: Load;
  profile: Profile;
  issuances: number;
  hottest: Hottest[];
  over: boolean;
}

/** The (tenant, partner) of the i-th issuance of one second of `load`. */
function sourceOf(i: number, load: Load, idLength: number): { tenantId: string; partnerId: string } {
  const hotTenant = idOf('tenant', 0, idLength);
  if (i < load.partnerRate) return { tenantId: hotTenant, partnerId: idOf('partner', 0, idLength) };
  if (i < load.tenantRate) return { tenantId: hotTenant, partnerId: idOf('partner', 1 + (i % OTHER_PARTNERS), idLength) };
  const tenant = 1 + (i % OTHER_TENANTS);
  return {
    tenantId: idOf('tenant', tenant, idLength),
    partnerId: idOf('partner', Math.floor(i / OTHER_TENANTS) % PARTNERS_PER_OTHER_TENANT, idLength),
  };
}

export async function simulate(layout: Layout, load: Load, profile: Profile = 'typical'): Promise<Simulation> {
  if (!(load.partnerRate <= load.tenantRate && load.tenantRate <= load.rate)) {
    throw new Error('the load must have partner rate <= tenant rate <= rate');
  }
  const idLength = profile === 'large' ? 32 : 16;
  const perKey = new Map<string, Map<string, number>>();
  const add = (w: Write) => {
    let keys = perKey.get(w.target);
    if (!keys) {
      keys = new Map();
      perKey.set(w.target, keys);
    }
    keys.set(w.key, (keys.get(w.key) ?? 0) + w.units);
  };
  const turns = new Map<string, number>();
  // The flow runs once per partner: its records differ only in the id (a UUID, one length), which
  // the keys take from issuanceId; the copies keep the first one's principal names, of the same size.
  const flowRecords = new Map<string, IssuanceRecord>();
  for (let i = 0; i < load.rate; i++) {
    const { tenantId, partnerId } = sourceOf(i, load, idLength);
    let template = flowRecords.get(`${tenantId}#${partnerId}`);
    if (!template) {
      template = await issuedRecord(tenantId, partnerId, simulatedId(i), profile);
      flowRecords.set(`${tenantId}#${partnerId}`, template);
    }
    const record = { ...template, issuanceId: simulatedId(i) };
    const item = layout.itemOf(record);
    for (const w of putWrites(layout, item)) add(w);
    for (const w of updateWrites(layout, item, expiredItem(item))) add(w);
    const partner = `${tenantId}#${partnerId}`;
    const turn = turns.get(partner) ?? 0;
    turns.set(partner, turn + 1);
    add({ target: RATE, key: layout.rateKey(tenantId, partnerId, turn), units: 1 });
  }
  const hottest = [TABLE, ...layout.indexes.map((i) => i.name), RATE].map((target): Hottest => {
    const keys = [...(perKey.get(target) ?? new Map<string, number>())].sort(([, a], [, b]) => b - a);
    const [key, units] = keys[0] ?? ['-', 0];
    return { target, key, wcuPerSecond: units, keys: keys.length };
  });
  return {
    layout: layout.name,
    load,
    profile,
    issuances: load.rate,
    hottest,
    over: hottest.some((h) => h.wcuPerSecond > PARTITION_WCU_LIMIT),
  };
}

// ---------------------------------------------------------------------------------------------
// Cost of a million issuances

/** us-east-1 list prices (USD), checked 2026-12-02 against the AWS pricing pages as quoted in the docs search. */
export const PRICES = {
  checked: '2026-12-02',
  apiGatewayHttpPerMillion: 1.0, // HTTP API, first 300 million requests a month
  lambdaRequestsPerMillion: 0.2,
  lambdaArmPerGbSecond: 0.0000133334, // arm64, first 7.5 billion GB-s a month
  dynamoWritePerMillionUnits: 0.625, // on-demand write request units (since November 2024)
  dynamoStoragePerGbMonth: 0.25, // Standard table class, beyond the free 25 GB
};

export interface CostInputs {
  memoryMb: number;
  vendMs: number;
  baselineMs: number;
  retentionDays: number;
}

export interface CostLine {
  what: string;
  vend: number;
  baseline: number;
}

/** Dollars per million issuances, line by line, for the vend function and the bench's bare baseline. */
export function costPerMillion(vend: PerIssuance, baseline: { units: number; storedBytes: number }, inputs: CostInputs): CostLine[] {
  const gbSeconds = (ms: number) => (inputs.memoryMb / 1024) * (Math.ceil(ms) / 1000) * 1e6;
  const months = inputs.retentionDays / (365.25 / 12);
  const storage = (bytes: number) => ((bytes * 1e6) / 2 ** 30) * PRICES.dynamoStoragePerGbMonth * months;
  return [
    { what: 'API Gateway HTTP API requests', vend: PRICES.apiGatewayHttpPerMillion, baseline: PRICES.apiGatewayHttpPerMillion },
    { what: 'Lambda requests', vend: PRICES.lambdaRequestsPerMillion, baseline: PRICES.lambdaRequestsPerMillion },
    {
      what: `Lambda compute (${inputs.memoryMb} MB arm64; ${Math.ceil(inputs.vendMs)} ms vs ${Math.ceil(inputs.baselineMs)} ms billed)`,
      vend: gbSeconds(inputs.vendMs) * PRICES.lambdaArmPerGbSecond,
      baseline: gbSeconds(inputs.baselineMs) * PRICES.lambdaArmPerGbSecond,
    },
    {
      what: `DynamoDB writes (${vend.units.total} vs ${baseline.units} units per issuance)`,
      vend: vend.units.total * PRICES.dynamoWritePerMillionUnits,
      baseline: baseline.units * PRICES.dynamoWritePerMillionUnits,
    },
    {
      what: `DynamoDB storage for ${inputs.retentionDays} days (${vend.storedBytes} vs ${baseline.storedBytes} bytes per issuance)`,
      vend: storage(vend.storedBytes),
      baseline: storage(baseline.storedBytes),
    },
  ];
}

/** The bench's measured warm medians (bench/results.json) and the configured memory and retention. */
export function costInputs(resultsFile: string, file?: string): CostInputs {
  const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as {
    warm?: { vend?: { medianMs?: number }; baseline?: { medianMs?: number } };
  };
  const vendMs = results.warm?.vend?.medianMs;
  const baselineMs = results.warm?.baseline?.medianMs;
  if (typeof vendMs !== 'number' || typeof baselineMs !== 'number')
    throw new Error(`${resultsFile} has no warm medians: run npm run bench`);
  const doc = readServerlessYml(file);
  const provider = doc.provider as { memorySize?: number } | undefined;
  const params = ((doc.params as Yaml | undefined)?.default ?? {}) as Record<string, string>;
  return {
    memoryMb: Number(provider?.memorySize ?? 1024),
    vendMs,
    baselineMs,
    retentionDays: Number(params.issuanceRetentionDays ?? RETENTION_DAYS),
  };
}

/**
 * The baseline (bench/baseline.ts) writes one item with the same attributes and the unsharded keys,
 * into the same table and its indexes; it has no audit and no rate limit.
 */
export function baselinePerIssuance(layout: Layout, record: IssuanceRecord): { units: number; storedBytes: number } {
  const item = issuanceItem(record, RETENTION_DAYS, 'legacy');
  const units = putWrites(layout, item).reduce((n, w) => n + w.units, 0);
  const storedBytes =
    itemBytes(item) +
    STORAGE_OVERHEAD_BYTES +
    layout.indexes.reduce((n, index) => {
      const entry = project(item, index);
      return n + (entry ? itemBytes(entry) + STORAGE_OVERHEAD_BYTES : 0);
    }, 0);
  return { units, storedBytes };
}

// ---------------------------------------------------------------------------------------------
// The report

export interface CapacityOptions {
  layout: IssuanceLayout;
  load: Load;
  profile: Profile;
  resultsFile: string;
}

export interface CapacityReport {
  text: string;
  over: boolean;
  simulation: Simulation;
  perIssuance: PerIssuance;
}

const num = (n: number) => Math.round(n).toLocaleString('en-US');
const usd = (n: number) => `$${n.toFixed(4)}`;

export async function capacityReport(options: CapacityOptions, file?: string): Promise<CapacityReport> {
  const layout = layoutOf(options.layout, file);
  const { load, profile } = options;
  const idLength = profile === 'large' ? 32 : 16;
  const sample = await issuedRecord(idOf('tenant', 0, idLength), idOf('partner', 0, idLength), simulatedId(0), profile);
  const per = perIssuance(layout, sample);
  const simulation = await simulate(layout, load, profile);
  const keyWidth = Math.max(13, ...simulation.hottest.map((h) => h.key.length));
  const lines: string[] = [];
  lines.push(
    `credvend capacity: ${options.layout} key layout, ${num(load.rate)} issuances/s (one tenant ${num(load.tenantRate)}/s, ` +
      `one partner of it ${num(load.partnerRate)}/s), ${profile} records`,
    '',
    `Record (${PROFILES[profile]}): ${per.itemBytes} bytes as stored, made by the issuance flow and sized by DynamoDB's rules`,
    `Write units per issuance: ${per.units.issue} issued + ${per.units.expire} marked expired by the audit + ${per.units.rate} rate window = ${per.units.total}`,
    `Stored bytes per issuance (${RETENTION_DAYS}-day retention, 100 bytes overhead per item and index entry): ${per.storedBytes}`,
    ...per.byTarget.map(
      (t) =>
        `  ${t.target.padEnd(16)} ${String(t.bytes).padStart(5)} bytes   ${t.issueUnits} unit(s) when issued, ${t.expireUnits} when expired`,
    ),
    '',
    `Hottest partition key per table and index (limit ${num(PARTITION_WCU_LIMIT)} write units/s per key):`,
    `  ${'table / index'.padEnd(26)} ${'partition key'.padEnd(keyWidth)} ${'WCU/s'.padStart(7)}  keys written`,
    ...simulation.hottest.map(
      (h) =>
        `  ${h.target.padEnd(26)} ${h.key.padEnd(keyWidth)} ${num(h.wcuPerSecond).padStart(7)}  ${String(h.keys).padStart(12)}  ${
          h.wcuPerSecond > PARTITION_WCU_LIMIT ? 'OVER' : 'ok'
        }`,
    ),
  );
  try {
    const inputs = costInputs(options.resultsFile, file);
    const costs = costPerMillion(per, baselinePerIssuance(layout, sample), inputs);
    const total = (pick: (c: CostLine) => number) => costs.reduce((n, c) => n + pick(c), 0);
    lines.push(
      '',
      `Cost of a million issuances, us-east-1 list prices (checked ${PRICES.checked}): API Gateway HTTP API $${PRICES.apiGatewayHttpPerMillion}/M,`,
      `Lambda $${PRICES.lambdaRequestsPerMillion}/M requests + $${PRICES.lambdaArmPerGbSecond}/GB-s arm64, DynamoDB on-demand $${PRICES.dynamoWritePerMillionUnits}/M write units, $${PRICES.dynamoStoragePerGbMonth}/GB-month;`,
      `durations are the bench's warm medians (${options.resultsFile}), no free tier:`,
      `  ${''.padEnd(84)} ${'credvend'.padStart(9)} ${'baseline'.padStart(9)}`,
      ...costs.map((c) => `  ${c.what.padEnd(84)} ${usd(c.vend).padStart(9)} ${usd(c.baseline).padStart(9)}`),
      `  ${'total'.padEnd(84)} ${usd(total((c) => c.vend)).padStart(9)} ${usd(total((c) => c.baseline)).padStart(9)}`,
      '  (the baseline: bench/baseline.ts, one PutItem of the same record into the same table; no audit, no rate window)',
    );
  } catch (err) {
    lines.push('', `Cost: not computed (${(err as Error).message})`);
  }
  lines.push('', 'Assumptions (a simulation, not a load test):', ...ASSUMPTIONS.map((a) => `  - ${a}`));
  lines.push(
    '',
    simulation.over
      ? `OVER: a partition key takes more than ${num(PARTITION_WCU_LIMIT)} write units/s at this load`
      : `OK: no partition key takes more than ${num(PARTITION_WCU_LIMIT)} write units/s at this load`,
  );
  return { text: lines.join('\n'), over: simulation.over, simulation, perIssuance: per };
}
