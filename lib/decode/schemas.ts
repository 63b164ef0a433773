// The body of POST /v1/authorization-messages/decode and its answer.
import * as z from 'zod/mini';

/** AWS's encoded messages are opaque text of base64 and base64url characters, a few KB long. */
export const ENCODED_MESSAGE_MAX_LENGTH = 10_240;

export const DecodeMessageRequestSchema = z.strictObject({
  encodedMessage: z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(ENCODED_MESSAGE_MAX_LENGTH),
      z.regex(/^[A-Za-z0-9+/=_-]+$/, 'must be the encoded message as AWS printed it (base64 characters, no spaces)'),
    ),
});

export type DecodeMessageRequest = z.infer<typeof DecodeMessageRequestSchema>;

export const DecodedMessageSchema = z.strictObject({
  decodedMessage: z.record(z.string(), z.unknown()),
  principal: z.strictObject({ arn: z.string() }),
});
