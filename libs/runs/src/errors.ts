/** A referenced run, dataset or model does not exist (HTTP 404, CLI exit 1). */
export class NotFoundError extends Error {}

/** The request is well-formed but not allowed in the current state (HTTP 409). */
export class ConflictError extends Error {}
