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

/**
 * Runs a Redis (or BullMQ) operation. Any failure that is not already a DomainError becomes
 * RedisUnavailable with the original as its cause, so the gateway maps every Redis outage to 503.
 */
export async function orUnavailable<T>(operation: () => Promise<T>, message = 'Redis is unreachable'): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw new RedisUnavailable(message, { cause: error });
  }
}
