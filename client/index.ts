// The credvend partner client. Node built-ins and global fetch only: nothing from the server code
// (lib/, handlers/, local/), so it can be bundled and shipped on its own.

export { type DecodedAuthorizationMessage, decodeAuthorizationMessage, extractEncodedMessage } from './decode';
export {
  CredvendAuthError,
  CredvendError,
  CredvendForbiddenError,
  CredvendParseError,
  CredvendRateLimitError,
  CredvendUnavailableError,
  CredvendValidationError,
} from './errors';
export {
  type CredvendClientOptions,
  DEFAULT_MAX_RETRIES,
  type Env,
  type IssueRequest,
  type IssueResponse,
  issueCredentials,
  MAX_RETRY_AFTER_SECONDS,
  resolveApiKey,
} from './issue';
export {
  type CredvendCredentialProvider,
  type CredvendProviderOptions,
  credvendProvider,
  fromCredvendCredentials,
} from './provider';
export {
  type CredentialProcessDocument,
  type CredvendCredentials,
  credentialProcessDocument,
  parseSerialized,
  serialize,
} from './serialized';
export { type CredentialShape, credentialShape, parseCredentials } from './shapes';
