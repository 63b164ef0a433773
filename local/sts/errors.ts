// One shape for every error the emulator answers, whatever the wire protocol renders it as.
export interface AwsError {
  status: number;
  code: string;
  message: string;
}

export function awsError(status: number, code: string, message: string): AwsError {
  return { status, code, message };
}

/** The common "1 validation error detected" wording STS uses for parameter constraints. */
export function validationError(message: string): AwsError {
  return awsError(400, 'ValidationError', message);
}
