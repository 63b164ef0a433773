// An API failure as the console shows it: the API's code, status, message, details and request id.
// Its own module (no fetch) so plain logic and its unit tests can use it without the DOM's types.
export interface ProblemDetail {
  path?: string;
  code?: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    readonly details: ProblemDetail[] = [],
  ) {
    super(message);
  }
}
