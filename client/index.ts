// The credvend partner client. Node built-ins and global fetch only: nothing from the server code
// (lib/, handlers/, local/), so it can be bundled and shipped on its own.
export { credvendProvider, type CredvendCredentialProvider, type CredvendProviderOptions } from './provider';
export {
  issueCredentials,
  resolveApiKey,
  DEFAULT_MAX_RETRIES,
  MAX_RETRY_AFTER_SECONDS,
  type CredvendClientOptions,
  type Env,
  type IssueRequest,
  type IssueResponse,
} from './issue';
export {
  parseSerialized,
  serialize,
  credentialProcessDocument,
  type CredentialProcessDocument,
  type CredvendCredentials,
} from './serialized';
export {
  CredvendError,
  CredvendAuthError,
  CredvendForbiddenError,
  CredvendValidationError,
  CredvendRateLimitError,
  CredvendUnavailableError,
  CredvendParseError,
} from './errors';
