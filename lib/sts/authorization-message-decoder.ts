// sts:DecodeAuthorizationMessage with credvend's own role (the only principal here allowed to call it).
import { DecodeAuthorizationMessageCommand, type STSClient } from '@aws-sdk/client-sts';
import { UpstreamRefusedError } from '../core/errors';
import type { AuthorizationMessageDecoder } from '../decode/ports';
import { translateStsError } from './sdk-sts';

export class SdkAuthorizationMessageDecoder implements AuthorizationMessageDecoder {
  constructor(private readonly client: STSClient) {}

  async decode(encodedMessage: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encodedMessage }));
      return out.DecodedMessage;
    } catch (err) {
      const name = (err as { name?: string } | undefined)?.name;
      // Not a message STS can read (garbled, or from another account): the caller's 404.
      if (name === 'InvalidAuthorizationMessageException') return undefined;
      if (name === 'AccessDenied' || name === 'AccessDeniedException') {
        throw new UpstreamRefusedError('sts_access_denied', 'STS denied credvend sts:DecodeAuthorizationMessage', { cause: err });
      }
      throw translateStsError(err);
    }
  }
}
