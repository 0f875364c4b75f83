/** An error whose status code the handler chose; rendered as JSON by errorResponse. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
