// Encoded authorization failure messages, as AWS appends them to some AccessDenied answers and
// sts:DecodeAuthorizationMessage reads back. The emulator seals the decoded document with AES-256-GCM
// under a key made at start-up: opaque to the caller, unforgeable, readable only by this emulator.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Principal } from './identity';

/** The decoded document's shape, the fields AWS's decoded messages have. */
export interface DecodedAuthorizationMessage {
  allowed: false;
  explicitDeny: boolean;
  matchedStatements: { items: unknown[] };
  failures: { items: unknown[] };
  context: {
    principal: { id: string; arn: string };
    action: string;
    resource: string;
    conditions: { items: { key: string; values: { items: { value: string }[] } }[] };
  };
}

export interface MessageSealer {
  encode(principal: Principal, action: string, resource: string): string;
  /** The decoded JSON text; undefined for anything this emulator did not encode. */
  decode(encoded: string): string | undefined;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

export function messageSealer(key: Buffer = randomBytes(32)): MessageSealer {
  return {
    encode(principal, action, resource) {
      const doc: DecodedAuthorizationMessage = {
        allowed: false,
        explicitDeny: false,
        matchedStatements: { items: [] },
        failures: { items: [] },
        context: {
          principal: { id: principal.userId, arn: principal.arn },
          action,
          resource,
          conditions: { items: [{ key: 'aws:username', values: { items: [{ value: principal.arn.split('/').pop() ?? '' }] } }] },
        },
      };
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const sealed = Buffer.concat([cipher.update(JSON.stringify(doc), 'utf8'), cipher.final()]);
      // AWS's encoded messages are long opaque text of base64url-like characters.
      return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
    },
    decode(encoded) {
      if (!/^[A-Za-z0-9_-]{40,20000}$/.test(encoded)) return undefined;
      const bytes = Buffer.from(encoded, 'base64url');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
        decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        return undefined;
      }
    },
  };
}
