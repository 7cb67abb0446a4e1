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
