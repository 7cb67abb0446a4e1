import { DomainError } from '../shared/errors.js';

/** One problem with one field; `path` is a JSON pointer into the request body ("" = the body itself). */
export interface FieldProblem {
  path: string;
  message: string;
}

export class InvalidInput extends DomainError {
  constructor(readonly problems: FieldProblem[]) {
    super('INVALID_INPUT', 422, 'The request body has invalid fields');
  }
}

export class MalformedJson extends DomainError {
  constructor(options?: ErrorOptions) {
    super('MALFORMED_JSON', 400, 'The request body is not valid JSON', options);
  }
}

export class UnsupportedMediaType extends DomainError {
  constructor(received: string | undefined) {
    super('UNSUPPORTED_MEDIA_TYPE', 415, `Send Content-Type: application/json (got ${received ?? 'none'})`);
  }
}

export class PayloadTooLarge extends DomainError {
  constructor(limitBytes: number) {
    super('PAYLOAD_TOO_LARGE', 413, `The request body exceeds ${limitBytes} bytes`);
  }
}

export class NotFound extends DomainError {
  constructor(what: string) {
    super('NOT_FOUND', 404, `${what} not found`);
  }
}

/** The job failed after all its retries; `reason` is safe to show a client. */
export class ScoringFailed extends DomainError {
  constructor(readonly reason: string) {
    super('SCORING_FAILED', 502, `Scoring failed: ${reason}`);
  }
}

/** Too many misses are already waiting for a worker; hits are still served. */
export class QueueFull extends DomainError {
  constructor(depth: number) {
    super('QUEUE_FULL', 503, `${depth} jobs are waiting for a worker; try again shortly`);
  }
}

/** A client spent more than its budget (uncached applicants, or batch records and polls) in the window. */
export class RateLimited extends DomainError {
  constructor(
    budget: string,
    windowS: number,
    readonly retryAfterS: number,
  ) {
    super('RATE_LIMITED', 429, `More than ${budget} in ${windowS} s from this client; try again shortly`);
  }
}

/** A known path asked with a method it does not serve; `allowed` goes in the `Allow` header. */
export class MethodNotAllowed extends DomainError {
  constructor(readonly allowed: string[]) {
    super('METHOD_NOT_ALLOWED', 405, `This path answers ${allowed.join(', ')}`);
  }
}

/** The client closed the connection before its body arrived: nobody is left to answer (nginx's 499). */
export class ClientClosedRequest extends DomainError {
  constructor(options?: ErrorOptions) {
    super('CLIENT_CLOSED_REQUEST', 499, 'The client closed the connection before sending its body', options);
  }
}
