import { Agent } from 'node:http';
import { httpRequest } from './http.js';
import { summarize, type LoadResult, type LoadSpec } from './load.js';

/**
 * Sends requests at evenly spaced moments, `ratePerS` a second, each on a kept-alive connection
 * (at most `connections` open), whatever the answers' latency: a light, steady load. autocannon's
 * own rate limit sends each second's quota in a burst at the start of the second, which is a
 * different load. Stops after `amount` requests, else at `durationS` (or `maxRequests`).
 */
export async function runPacedLoad(spec: LoadSpec & { ratePerS: number }): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  const xCache: Record<string, number> = {};
  let unexpected = 0;
  let errors = 0;
  const total =
    spec.amount ?? Math.min(Math.round((spec.durationS ?? 1) * spec.ratePerS), spec.maxRequests ?? Infinity);
  const intervalMs = 1000 / spec.ratePerS;
  const started = performance.now();
  let lastResponseAt = started;
  let next = 0;
  const sent: Array<Promise<void>> = [];
  const send = async (body: string) => {
    const at = performance.now();
    try {
      const answer = await httpRequest(spec.url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...spec.headers },
        agent,
      });
      lastResponseAt = performance.now();
      latencies.push(lastResponseAt - at);
      statusCounts[answer.status] = (statusCounts[answer.status] ?? 0) + 1;
      if (answer.status !== spec.expectedStatus) unexpected += 1;
      const cache = answer.headers.get('x-cache') ?? 'none';
      xCache[cache] = (xCache[cache] ?? 0) + 1;
    } catch {
      errors += 1;
    }
  };
  try {
    for (let i = 0; i < total; i++) {
      // The schedule is absolute, so a late timer is caught up with instead of drifting.
      const wait = started + i * intervalMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const body = spec.bodies[next++ % spec.bodies.length]!;
      sent.push(send(typeof body === 'string' ? body : body()));
    }
    await Promise.all(sent);
  } finally {
    agent.destroy();
  }
  const requests = latencies.length;
  const elapsedS = (lastResponseAt - started) / 1000;
  return {
    requests,
    elapsedS,
    rps: elapsedS > 0 ? requests / elapsedS : 0,
    latencyMs: summarize(latencies),
    errors,
    unexpected,
    statusCounts,
    ...(spec.countXCache ? { xCache } : {}),
  };
}
