// Partners' TOTP devices in the main table (`TENANT#<t>` / `MFA#<p>#<d>`), with the plain client:
// the issuance path reaches this adapter through the lazily loaded MFA module (lib/wiring/mfa.ts).
// The sealed seed is an attribute like any other here; it never leaves lib/mfa.
import { DeleteItemCommand, type DynamoDBClient, PutItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { MfaDevice } from '../core/model';
import { mfaDeviceKeys } from '../core/table-keys';
import type { MfaCodeStore, MfaDeviceStore } from '../mfa/ports';
import { dynamoUnavailable, fromStored, getItem, isConditionFailure, toStored, withoutStorageKeys } from './dynamo';

/** What the issuance path needs (the lazily loaded MFA check): a Query and one conditional update, nothing more. */
export class DynamoMfaCodeStore implements MfaCodeStore {
  constructor(
    protected readonly client: DynamoDBClient,
    protected readonly table: string,
  ) {}

  protected async conditional(command: PutItemCommand | UpdateItemCommand | DeleteItemCommand, action: string): Promise<boolean> {
    try {
      await this.client.send(command as never);
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw dynamoUnavailable(err, action);
    }
  }

  async list(tenantId: string, partnerId: string): Promise<MfaDevice[]> {
    const { pk } = mfaDeviceKeys.device(tenantId, partnerId, '');
    const devices: MfaDevice[] = [];
    let start: QueryCommand['input']['ExclusiveStartKey'];
    try {
      do {
        const out = await this.client.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: toStored({ ':pk': pk, ':prefix': mfaDeviceKeys.partnerPrefix(partnerId) }),
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of out.Items ?? []) devices.push(withoutStorageKeys<MfaDevice>(fromStored(item) ?? {}));
        start = out.LastEvaluatedKey;
      } while (start);
    } catch (err) {
      throw dynamoUnavailable(err, 'list MFA devices');
    }
    return devices.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  useStep(tenantId: string, partnerId: string, deviceId: string, step: number): Promise<boolean> {
    return this.conditional(
      new UpdateItemCommand({
        TableName: this.table,
        Key: toStored(mfaDeviceKeys.device(tenantId, partnerId, deviceId)),
        UpdateExpression: 'SET lastUsedStep = :step',
        ConditionExpression: 'attribute_exists(pk) AND #status = :active AND (attribute_not_exists(lastUsedStep) OR lastUsedStep < :step)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: toStored({ ':active': 'active', ':step': step }),
      }),
      'record MFA step',
    );
  }
}

/** The admin API's: enrolment, confirmation and deletion besides. */
export class DynamoMfaDevices extends DynamoMfaCodeStore implements MfaDeviceStore {
  create(device: MfaDevice): Promise<boolean> {
    const item = { ...mfaDeviceKeys.device(device.tenantId, device.partnerId, device.deviceId), ...device };
    return this.conditional(
      new PutItemCommand({ TableName: this.table, Item: toStored(item), ConditionExpression: 'attribute_not_exists(pk)' }),
      'create MFA device',
    );
  }

  get(tenantId: string, partnerId: string, deviceId: string): Promise<MfaDevice | undefined> {
    return getItem<MfaDevice>(this.client, this.table, mfaDeviceKeys.device(tenantId, partnerId, deviceId), 'read MFA device');
  }

  confirm(tenantId: string, partnerId: string, deviceId: string, step: number, at: string): Promise<boolean> {
    return this.conditional(
      new UpdateItemCommand({
        TableName: this.table,
        Key: toStored(mfaDeviceKeys.device(tenantId, partnerId, deviceId)),
        UpdateExpression: 'SET #status = :active, confirmedAt = :at, lastUsedStep = :step',
        ConditionExpression: 'attribute_exists(pk) AND #status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: toStored({ ':active': 'active', ':pending': 'pending', ':at': at, ':step': step }),
      }),
      'confirm MFA device',
    );
  }

  delete(tenantId: string, partnerId: string, deviceId: string): Promise<boolean> {
    return this.conditional(
      new DeleteItemCommand({
        TableName: this.table,
        Key: toStored(mfaDeviceKeys.device(tenantId, partnerId, deviceId)),
        ConditionExpression: 'attribute_exists(pk)',
      }),
      'delete MFA device',
    );
  }
}
