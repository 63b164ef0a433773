// Creates the local tables from the one definition in serverless.yml, so the local stack
// and the deployed stack cannot drift apart.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, type CreateTableCommandInput, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parse, type Tags } from 'yaml';

// CloudFormation intrinsics only need to parse here; table definitions do not use them.
const cfnTags: Tags = ['Ref', 'GetAtt', 'Sub', 'Join', 'Select', 'Split', 'If', 'Equals', 'ImportValue'].flatMap((name) =>
  (['scalar', 'seq', 'map'] as const).map((collection) => ({
    tag: `!${name}`,
    collection: collection === 'scalar' ? undefined : collection,
    resolve: (value: unknown) => ({ [`Fn::${name}`]: value }),
  })),
) as unknown as Tags;

export const SERVERLESS_YML = fileURLToPath(new URL('../serverless.yml', import.meta.url));

type Yaml = Record<string, unknown>;

/** Resolves the few variable forms the table definitions use: ${self:…}, ${sls:stage}, ${opt:…, default}. */
function resolveVariables(text: string, doc: Yaml, stage: string): string {
  const lookup = (path: string): unknown => path.split('.').reduce<unknown>((node, key) => (node as Yaml | undefined)?.[key], doc);
  let previous: string;
  let out = text;
  do {
    previous = out;
    out = out.replace(/\$\{([^{}]+)\}/g, (whole, expr: string) => {
      const [source, fallback] = expr.split(/,\s*/, 2);
      if (source === 'sls:stage' || source === 'opt:stage') return stage;
      if (source?.startsWith('self:')) {
        const value = lookup(source.slice(5));
        if (typeof value === 'string') return value;
      }
      return fallback !== undefined ? fallback.replace(/^['"]|['"]$/g, '') : whole;
    });
  } while (out !== previous);
  return out;
}

/** What a stage of the stack is configured with: its params (default merged with the stage's) and table names. */
export interface StageSettings {
  params: Record<string, string>;
  mainTable: string;
  issuanceTable: string;
}

/** serverless.yml's params and table names as `sls` resolves them for `stage` (the deploy scripts use the same names). */
export function stageSettings(stage: string, file = SERVERLESS_YML): StageSettings {
  const doc = parse(readFileSync(file, 'utf8'), { customTags: cfnTags }) as Yaml;
  const params = (doc.params ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const merged = { ...params.default, ...params[stage] };
  const resolve = (value: unknown) => resolveVariables(String(value), doc, stage);
  const custom = (doc.custom ?? {}) as Record<string, unknown>;
  return {
    params: Object.fromEntries(Object.entries(merged).map(([k, v]) => [k, resolve(v)])),
    mainTable: resolve(custom.mainTable),
    issuanceTable: resolve(custom.issuanceTable),
  };
}

type TableDefinition = CreateTableCommandInput & { TableName: string };

export function tableDefinitions(stage: string, file = SERVERLESS_YML): TableDefinition[] {
  const doc = parse(readFileSync(file, 'utf8'), { customTags: cfnTags }) as Yaml;
  const resources = ((doc.resources as Yaml | undefined)?.Resources ?? {}) as Record<string, Yaml>;
  return Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::DynamoDB::Table')
    .map((resource) => {
      const props = resource.Properties as Yaml;
      const resolved = JSON.parse(resolveVariables(JSON.stringify(props), doc, stage)) as Yaml;
      // Keep only what CreateTable understands; PITR, SSE and TTL are account-side settings.
      const { TableName, AttributeDefinitions, KeySchema, GlobalSecondaryIndexes, BillingMode } = resolved;
      if (typeof TableName !== 'string') throw new Error(`${file}: a DynamoDB table without a TableName`);
      return { TableName, AttributeDefinitions, KeySchema, GlobalSecondaryIndexes, BillingMode } as TableDefinition;
    });
}

export async function createTables(client: DynamoDBClient, stage: string): Promise<string[]> {
  const created: string[] = [];
  for (const input of tableDefinitions(stage)) {
    try {
      await client.send(new CreateTableCommand(input));
      created.push(input.TableName);
    } catch (err) {
      if ((err as Error).name !== 'ResourceInUseException') throw err;
    }
  }
  return created;
}
