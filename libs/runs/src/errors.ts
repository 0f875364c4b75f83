/** A referenced run, dataset or model does not exist (HTTP 404, CLI exit 1). */
export class NotFoundError extends Error {}

/** The request is well-formed but not allowed in the current state (HTTP 409). */
export class ConflictError extends Error {}

/** A dataset known only from a model card: its images were never imported here. */
export function imagesMissing(name: string): ConflictError {
  return new ConflictError(
    `Dataset "${name}" has no images on this machine (it was registered from a model card); import them under the name "${name}" to attach them`,
  );
}

/** The request asks for something this server does not allow (HTTP 403). */
export class ForbiddenError extends Error {}

/** The request's body is larger than the limit (HTTP 413). */
export class PayloadTooLargeError extends Error {}

/** The request names something that exists but does not fit (a split the dataset lacks): HTTP 400. */
export class InvalidRequestError extends Error {}
