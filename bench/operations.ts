// DynamoDB operations by what they do to items; shared by the wire counter and the warm worker
// (which must not pull dynalite into its process).
export const READ_OPERATIONS = ['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems'] as const;
export const WRITE_OPERATIONS = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'] as const;

export type OperationKind = 'read' | 'write' | 'other';

/** `DynamoDB_20120810.GetItem` -> GetItem. */
export function operationOf(target: string | undefined): string {
  if (!target) return 'unknown';
  const dot = target.lastIndexOf('.');
  return dot >= 0 ? target.slice(dot + 1) : target;
}

export function kindOf(operation: string): OperationKind {
  if ((READ_OPERATIONS as readonly string[]).includes(operation)) return 'read';
  if ((WRITE_OPERATIONS as readonly string[]).includes(operation)) return 'write';
  return 'other';
}
