// The whole-suite secret scan: every secret a test sees (issued credentials, API key secrets) is
// recorded, and at the end every log line and every stored item is searched for each of them.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';

// seed: an MFA device's TOTP seed, shown once at enrolment (issue 19).
const SECRET_FIELDS = new Set(['secretAccessKey', 'sessionToken', 'SecretAccessKey', 'SessionToken', 'Token', 'seed']);

/** Secrets inside an API response: credential secrets and the secret part of any `apiKey`. */
export function secretsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const v of value) secretsIn(v, out);
  } else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (typeof v === 'string' && SECRET_FIELDS.has(key)) out.push(v);
      else if (typeof v === 'string' && key === 'apiKey') out.push(apiKeySecret(v));
      else if (key === 'serialized' && typeof v === 'string') out.push(v);
      else secretsIn(v, out);
    }
  }
  return out;
}

export function apiKeySecret(apiKey: string): string {
  return apiKey.slice(apiKey.lastIndexOf('.') + 1);
}

export function recordSecrets(secrets: string[]): void {
  const file = process.env.CREDVEND_TEST_SECRETS;
  const wanted = secrets.filter((s) => s.length >= 16);
  if (file && wanted.length) appendFileSync(file, wanted.map((s) => `${s}\n`).join(''));
}

export function recordedSecrets(file: string): string[] {
  return existsSync(file) ? [...new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean))] : [];
}

export async function scanTable(client: DynamoDBDocumentClient, table: string): Promise<string> {
  const parts: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    parts.push(JSON.stringify(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return parts.join('\n');
}

export interface LeakReport {
  secretsChecked: number;
  places: string[];
  leaks: { place: string; count: number }[];
}

/** Which places contain any of the secrets (never the secrets themselves). */
export function findLeaks(secrets: string[], places: Record<string, string>): LeakReport {
  const leaks = Object.entries(places)
    .map(([place, text]) => ({ place, count: secrets.filter((s) => text.includes(s)).length }))
    .filter((l) => l.count > 0);
  return { secretsChecked: secrets.length, places: Object.keys(places), leaks };
}
