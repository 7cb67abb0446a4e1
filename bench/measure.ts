import { totalCpuSeconds } from './proc-cpu.js';
import type { CpuPerRequest } from './results.js';

/** The processes whose CPU a run is charged with. */
export interface UnderTest {
  serverPids: readonly number[];
}

const US_PER_S = 1e6;

/** What a run charges to the Redis it uses: its CPU and the commands it executed (bench/bench-redis.ts). */
export interface RedisCounters {
  counters(): Promise<{ cpuSeconds: number; commands: number }>;
}

function clientCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / US_PER_S;
}

/**
 * Runs `work` and charges the CPU used meanwhile to its requests: the server processes' from
 * /proc/<pid>/stat (so idle processes cost nothing and a crash throws), Redis's CPU and commands
 * from INFO, and the bench's own (the load generator).
 */
export async function withCpu<T extends { requests: number }>(
  target: UnderTest,
  redis: RedisCounters,
  work: () => Promise<T>,
): Promise<{ result: T; cpuPerRequest: CpuPerRequest }> {
  const before = { server: totalCpuSeconds(target.serverPids), redis: await redis.counters() };
  const clientBefore = clientCpuSeconds();
  const result = await work();
  const client = clientCpuSeconds() - clientBefore;
  const server = totalCpuSeconds(target.serverPids) - before.server;
  const after = await redis.counters();
  const perRequest = (amount: number) => (result.requests > 0 ? amount / result.requests : 0);
  return {
    result,
    cpuPerRequest: {
      serverUs: perRequest(server * US_PER_S),
      redisUs: perRequest((after.cpuSeconds - before.redis.cpuSeconds) * US_PER_S),
      clientUs: perRequest(client * US_PER_S),
      redisCommands: perRequest(after.commands - before.redis.commands),
    },
  };
}
