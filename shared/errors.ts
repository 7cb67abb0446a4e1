/**
 * Every error class of the service, in one home: DomainErrors (a stable `code` and the HTTP status
 * the gateway answers with, mapped in one place: api/http/problem.ts), the portfolios' among them;
 * then the errors no client is answered with: the worker's, and a process's start-up (one line, exit 1).
 */

/**
 * A failure the service expects and knows how to answer. `code` is stable (clients may switch on
 * it); `status` is the HTTP status the gateway answers with.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Redis did not answer (down, restarting, unreachable): retry later. */
export class RedisUnavailable extends DomainError {
  constructor(message = 'Redis is unreachable', options?: ErrorOptions) {
    super('REDIS_UNAVAILABLE', 503, message, options);
  }
}

/** Memory on a Redis that never evicts frees up as jobs finish and records expire: minutes, not a second. */
const REDIS_FULL_RETRY_AFTER_S = 30;

/**
 * The queue's Redis reached its `maxmemory` and, never evicting, refuses writes: new work must wait,
 * while reads (cache hits, polls) still answer. `retryAfterS` goes in the answer's Retry-After.
 */
export class RedisFull extends DomainError {
  readonly retryAfterS = REDIS_FULL_RETRY_AFTER_S;
  constructor(options?: ErrorOptions) {
    super('REDIS_FULL', 503, 'The queue is out of memory; try again later', options);
  }
}

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

// Portfolios (api/portfolios/).

/** The upload has more rows than PORTFOLIO_MAX_ROWS: refused whole, nothing kept. */
export class TooManyRows extends DomainError {
  constructor(limit: number) {
    super('TOO_MANY_ROWS', 413, `A portfolio holds at most ${limit} rows`);
  }
}

/** The client already has PORTFOLIO_MAX_ACTIVE unfinished portfolios. */
export class TooManyPortfolios extends DomainError {
  readonly retryAfterS = 10;
  constructor(limit: number) {
    super('TOO_MANY_PORTFOLIOS', 429, `At most ${limit} unfinished portfolios per client; wait for one to finish`);
  }
}

/**
 * DELETE of an upload still arriving: the connection that sends it is what holds it, possibly on
 * another replica, so the uploader cancels by closing that connection (nothing is then kept).
 */
export class StillReceiving extends DomainError {
  constructor() {
    super('STILL_RECEIVING', 409, 'The portfolio is still being uploaded; close the upload to cancel it');
  }
}

/** Results asked for before the portfolio finished. */
export class NotFinished extends DomainError {
  constructor() {
    super('NOT_FINISHED', 409, 'The portfolio is not finished; poll it until its status is completed');
  }
}

/** A portfolio row longer than the longest taken: the upload is refused whole, 413. */
export class LineTooLong extends DomainError {
  constructor(maxBytes: number) {
    super('LINE_TOO_LONG', 413, `A row is longer than ${maxBytes} bytes`);
  }
}

/** Broken CSV (an unclosed quote, say): the whole upload is refused, 400. */
export class MalformedCsv extends MalformedJson {
  readonly detail: string;
  constructor(detail: string, options?: ErrorOptions) {
    super(options);
    this.detail = detail;
    this.message = `The CSV is malformed: ${detail}`;
  }
}

// Not answered to a client: the worker's, and a process's start-up.

/** The model overran JOB_TIMEOUT_MS (worker/score-processor.ts): the attempt fails and BullMQ retries it. */
export class ModelTimeout extends Error {
  override name = 'ModelTimeout';
}

/** A portfolio chunk was not sealed under this key for this portfolio and position, or was altered. */
export class BrokenChunk extends Error {
  override name = 'BrokenChunk';
}

/** A score job's seal was not made under this key, was altered, or does not hold job items. */
export class BrokenSeal extends Error {
  override name = 'BrokenSeal';
}

/** Thrown when the environment holds a setting the service cannot run with. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A start-up precondition that does not hold (no model file, wrong Redis policy): one line, exit 1. */
export class StartupError extends Error {
  override name = 'StartupError';
}

/**
 * The DomainError a Redis reply error stands for, if any: Redis' `OOM command not allowed…` (a
 * write past maxmemory under noeviction, from a command or inside a script) is RedisFull.
 */
export function fromRedisReply(error: unknown): DomainError | undefined {
  return error instanceof Error && error.message.startsWith('OOM ') ? new RedisFull({ cause: error }) : undefined;
}

/**
 * Runs a Redis (or BullMQ) operation. A full Redis becomes RedisFull; any other failure that is not
 * already a DomainError becomes RedisUnavailable with the original as its cause, so the gateway
 * maps every Redis outage to 503.
 */
export async function orUnavailable<T>(operation: () => Promise<T>, message = 'Redis is unreachable'): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw fromRedisReply(error) ?? new RedisUnavailable(message, { cause: error });
  }
}
