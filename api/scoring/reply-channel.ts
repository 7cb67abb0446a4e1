import { orUnavailable } from '../../shared/errors.js';
import type { KeySpace } from '../../shared/keys.js';
import { ScoreReply } from '../../shared/queues.js';
import type { RedisClient } from '../../shared/redis.js';

/** What the gateway does with one parsed reply; `bytes` is its size on the wire. */
export type ReplyHandler = (reply: ScoreReply, bytes: number) => void;

/**
 * This gateway process's own reply channel: the worker publishes a job's outcome only to the
 * gateways that wait on it (the one that added it, named in the job's data, and those that
 * registered for it), so a gateway parses O(its own misses) messages whatever the number of
 * gateways. A message missed while the subscriber reconnects is not replayed: those waits time out
 * and their clients poll (the answer is in the cache by then).
 */
export class ReplyChannel {
  readonly channel: string;

  constructor(
    /** A connection of its own: once subscribed it can run no other command. */
    private readonly subscriber: RedisClient,
    /** The queue's Redis, for the registration sets. */
    private readonly bookkeeping: RedisClient,
    private readonly keys: KeySpace,
    gatewayId: string,
    /** How long a registration may wait for its job: as long as BullMQ keeps jobs. */
    private readonly registrationTtlMs: number,
  ) {
    this.channel = keys.replyChannel(gatewayId);
  }

  /** Subscribes; every well-formed message on the channel goes to `handler`, anything else is dropped. */
  async listen(handler: ReplyHandler): Promise<void> {
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      let json: unknown;
      try {
        json = JSON.parse(message);
      } catch {
        return;
      }
      const parsed = ScoreReply.safeParse(json);
      if (parsed.success) handler(parsed.data, Buffer.byteLength(message));
    });
    await this.subscriber.subscribe(this.channel);
  }

  /** Asks for the outcome of jobs another gateway added (misses coalesced onto them). */
  async register(jobIds: readonly string[]): Promise<void> {
    await orUnavailable(() =>
      Promise.all(
        jobIds.map(async (jobId) => {
          const key = this.keys.replyRoutes(jobId);
          await this.bookkeeping.sadd(key, this.channel);
          await this.bookkeeping.pexpire(key, this.registrationTtlMs);
        }),
      ),
    );
  }
}
