import { z } from 'zod';

/** What the bench passes every baseline process; each baseline's main reads it once. */
const BaselineConfig = z.object({
  PORT: z.coerce.number().int().min(1).max(65535),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }),
  /** The pre-written hash the hit baselines read; the bench puts it under the run's namespace. */
  FLOOR_KEY: z.string().min(1),
  /** Namespace of the queue floor's BullMQ keys. */
  QUEUE_PREFIX: z.string().min(1),
  /** Jobs the queue floor's worker runs at once: the service's default, or what the bench was given. */
  WORKER_CONCURRENCY: z.coerce.number().int().positive().default(8),
});
export type BaselineConfig = z.infer<typeof BaselineConfig>;

export function loadBaselineConfig(env: NodeJS.ProcessEnv): BaselineConfig {
  return BaselineConfig.parse(env);
}

/** The queue floor's queue: its own name, so it can never be mistaken for the service's. */
export const FLOOR_QUEUE = 'bench-floor';
