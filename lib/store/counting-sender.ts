// Counts the items DynamoDB hands back, per table or `table/index`, by wrapping `send`: what the
// audit reads is measured where it happens, not estimated. A Query counts its ScannedCount (items
// read before any filter, which is what is paid for), a Get its item, a BatchGet its items. Only the
// commands the audit sends: naming another (ScanCommand) here would put it in the audit's bundle, and
// the package check would then want it in the audit's IAM role.
import { BatchGetCommand, GetCommand, type PutCommand, QueryCommand, type UpdateCommand } from '@aws-sdk/lib-dynamodb';

export type DocumentCommand = GetCommand | BatchGetCommand | QueryCommand | PutCommand | UpdateCommand;

/** The part of a DynamoDBDocumentClient the audit uses; a DynamoDBDocumentClient is one. */
export interface DocumentSender {
  send(command: DocumentCommand): Promise<unknown>;
}

export class ReadCounter {
  private readonly counts = new Map<string, number>();

  add(target: string, items: number): void {
    if (items > 0) this.counts.set(target, (this.counts.get(target) ?? 0) + items);
  }

  get(target: string): number {
    return this.counts.get(target) ?? 0;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => (a < b ? -1 : 1)));
  }
}

function targetOf(input: { TableName?: string; IndexName?: string }): string {
  return input.IndexName ? `${input.TableName}/${input.IndexName}` : String(input.TableName);
}

function record(counter: ReadCounter, command: unknown, output: unknown): void {
  if (command instanceof QueryCommand) {
    const out = output as { ScannedCount?: number; Count?: number; Items?: unknown[] };
    counter.add(targetOf(command.input), out.ScannedCount ?? out.Count ?? out.Items?.length ?? 0);
  } else if (command instanceof GetCommand) {
    counter.add(targetOf(command.input), (output as { Item?: unknown }).Item ? 1 : 0);
  } else if (command instanceof BatchGetCommand) {
    const responses = (output as { Responses?: Record<string, unknown[]> }).Responses ?? {};
    for (const [table, items] of Object.entries(responses)) counter.add(table, items.length);
  }
}

/** A client that forwards to `client` and adds what each read returned to `counter`. */
export function countingSender(client: DocumentSender, counter: ReadCounter): DocumentSender {
  return {
    async send(command: DocumentCommand) {
      const output = await client.send(command);
      record(counter, command, output);
      return output;
    },
  };
}
