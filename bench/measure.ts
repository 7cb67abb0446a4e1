import { totalCpuSeconds } from './proc-cpu.js';
import type { CpuPerRequest } from './results.js';

/** The processes whose CPU a run is charged with. */
export interface UnderTest {
  serverPids: readonly number[];
}

const US_PER_S = 1e6;

function clientCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / US_PER_S;
}

/**
 * Runs `work` and charges the CPU used meanwhile to its requests: the server processes' from
 * /proc/<pid>/stat (so idle processes cost nothing and a crash throws), Redis's from INFO cpu, and
 * the bench's own (the load generator).
 */
export async function withCpu<T extends { requests: number }>(
  target: UnderTest,
  redisCpuSeconds: () => Promise<number>,
  work: () => Promise<T>,
): Promise<{ result: T; cpuPerRequest: CpuPerRequest }> {
  const before = { server: totalCpuSeconds(target.serverPids), redis: await redisCpuSeconds() };
  const clientBefore = clientCpuSeconds();
  const result = await work();
  const client = clientCpuSeconds() - clientBefore;
  const server = totalCpuSeconds(target.serverPids) - before.server;
  const redis = (await redisCpuSeconds()) - before.redis;
  const perRequest = (seconds: number) => (result.requests > 0 ? (seconds * US_PER_S) / result.requests : 0);
  return {
    result,
    cpuPerRequest: { serverUs: perRequest(server), redisUs: perRequest(redis), clientUs: perRequest(client) },
  };
}
