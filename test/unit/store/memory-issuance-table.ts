// The issuance table in memory, answering the document client's Query and BatchGet as DynamoDB does
// for the key conditions the adapters send (hash = :p, with one range condition), with the key
// schema and projections of serverless.yml: a query of an index sees only what it projects.
import { BatchGetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DocumentCommand, DocumentSender } from '../../../lib/store/counting-sender';
import { tableDefinitions } from '../../../local/tables';

type Item = Record<string, unknown>;

interface IndexShape {
  hash: string;
  range: string;
  project: (item: Item) => Item;
}

function shapes(): { table: IndexShape; indexes: Record<string, IndexShape> } {
  const def = tableDefinitions('unit').find((t) => t.TableName.endsWith('-issuances'));
  if (!def) throw new Error('no issuance table in serverless.yml');
  const keyOf = (schema: { AttributeName?: string; KeyType?: string }[] | undefined, type: string) =>
    String(schema?.find((k) => k.KeyType === type)?.AttributeName);
  const table = { hash: keyOf(def.KeySchema, 'HASH'), range: keyOf(def.KeySchema, 'RANGE'), project: (item: Item) => ({ ...item }) };
  const indexes: Record<string, IndexShape> = {};
  for (const gsi of def.GlobalSecondaryIndexes ?? []) {
    const hash = keyOf(gsi.KeySchema, 'HASH');
    const range = keyOf(gsi.KeySchema, 'RANGE');
    const type = gsi.Projection?.ProjectionType;
    const keep = new Set([table.hash, table.range, hash, range, ...(type === 'INCLUDE' ? (gsi.Projection?.NonKeyAttributes ?? []) : [])]);
    indexes[String(gsi.IndexName)] = {
      hash,
      range,
      project: (item) => (type === 'ALL' ? { ...item } : Object.fromEntries(Object.entries(item).filter(([name]) => keep.has(name)))),
    };
  }
  return { table, indexes };
}

const CONDITION = /^(\w+) = :(\w+)(?: AND (\w+) (?:BETWEEN :(\w+) AND :(\w+)|(>=|<=|<|>) :(\w+)))?$/;

export class MemoryIssuanceTable implements DocumentSender {
  readonly items: Item[] = [];
  readonly queries: QueryCommandInput[] = [];
  batchGets = 0;
  private readonly shape = shapes();

  constructor(readonly name: string) {}

  put(...items: Item[]): void {
    this.items.push(...items.map((item) => structuredClone(item)));
  }

  async send(command: DocumentCommand): Promise<unknown> {
    if (command instanceof QueryCommand) return this.query(command.input);
    if (command instanceof BatchGetCommand) {
      this.batchGets++;
      const keys = (command.input.RequestItems?.[this.name]?.Keys ?? []) as Item[];
      const found = keys.flatMap((key) => this.items.filter((i) => i.pk === key.pk && i.sk === key.sk));
      return { Responses: { [this.name]: found.map((item) => structuredClone(item)) } };
    }
    throw new Error(`not emulated: ${command.constructor.name}`);
  }

  private query(input: QueryCommandInput): unknown {
    this.queries.push(input);
    if (input.TableName !== this.name) throw new Error(`unknown table ${input.TableName}`);
    const shape = input.IndexName ? this.shape.indexes[input.IndexName] : this.shape.table;
    if (!shape) throw new Error(`unknown index ${input.IndexName}`);
    const match = CONDITION.exec(String(input.KeyConditionExpression));
    if (!match || match[1] !== shape.hash || (match[3] !== undefined && match[3] !== shape.range)) {
      throw Object.assign(new Error(`unsupported key condition ${input.KeyConditionExpression}`), { name: 'ValidationException' });
    }
    const values = input.ExpressionAttributeValues ?? {};
    const value = (name: string | undefined) => String(values[`:${name}`]);
    const inRange = (sk: string): boolean => {
      if (match[3] === undefined) return true;
      if (match[4] !== undefined) return sk >= value(match[4]) && sk <= value(match[5]);
      const bound = value(match[7]);
      return { '>=': sk >= bound, '<=': sk <= bound, '<': sk < bound, '>': sk > bound }[match[6] as '>='];
    };
    const forward = input.ScanIndexForward !== false;
    let found = this.items
      .filter((item) => item[shape.hash] === values[`:${match[2]}`] && typeof item[shape.range] === 'string')
      .filter((item) => inRange(String(item[shape.range])))
      .sort((a, b) => (String(a[shape.range]) < String(b[shape.range]) ? -1 : 1) * (forward ? 1 : -1));
    const start = input.ExclusiveStartKey?.[shape.range];
    if (start !== undefined)
      found = found.filter((item) => (forward ? String(item[shape.range]) > String(start) : String(item[shape.range]) < String(start)));
    const page = input.Limit !== undefined ? found.slice(0, input.Limit) : found;
    const last = page.at(-1);
    const more = input.Limit !== undefined && page.length === input.Limit;
    return {
      Items: page.map((item) => structuredClone(shape.project(item))),
      Count: page.length,
      ScannedCount: page.length,
      ...(more && last
        ? { LastEvaluatedKey: { pk: last.pk, sk: last.sk, [shape.hash]: last[shape.hash], [shape.range]: last[shape.range] } }
        : {}),
    };
  }
}
