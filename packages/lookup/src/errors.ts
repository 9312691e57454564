/** A request the caller must fix (maps to HTTP 400/413); anything else thrown is an infrastructure fault. */
export class InvalidRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}
