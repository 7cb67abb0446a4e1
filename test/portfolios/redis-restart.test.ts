import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { PORTFOLIO_QUEUE } from '../../shared/portfolios.js';
import { distinctApplicants } from '../support/distinct-applicants.js';
import { RedisServer } from '../support/redis-server.js';
import { ServiceFleet } from '../support/service-fleet.js';
import { waitUntil } from '../support/wait.js';
import { csvOf } from './support.js';

/** AOF `appendfsync everysec` may lose the last second of writes on a crash; past this, a write is on disk. */
const AOF_FSYNC_WINDOW_MS = 1100;
const CHUNK_ROWS = 100;

describe('fault: the queue Redis (AOF everysec) SIGKILLed and restarted with a portfolio accepted and not yet run', () => {
  let redis: RedisServer;
  let fleet: ServiceFleet;
  beforeAll(async () => {
    redis = await RedisServer.start({ appendOnly: true, maxmemoryPolicy: 'noeviction' });
    fleet = new ServiceFleet(redis.url, { PORTFOLIO_CHUNK_ROWS: String(CHUNK_ROWS) });
  });
  afterAll(async () => {
    const queue = new Queue(PORTFOLIO_QUEUE, { connection: fleet.redis, prefix: fleet.namespace.queuePrefix });
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await fleet.stop();
    await redis.dispose();
  });

  it('every row answered after the restart, in order, ids echoed', async () => {
    const { base } = await fleet.startGateway();
    const rows = distinctApplicants(0, 4 * CHUNK_ROWS).map((applicant, i) => ({ id: `r${i}`, applicant }));
    const accepted = await fetch(`${base}/portfolios`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: csvOf(rows),
    });
    expect(accepted.status).toBe(202);
    const location = accepted.headers.get('location')!;
    await new Promise((resolve) => setTimeout(resolve, AOF_FSYNC_WINDOW_MS));

    await redis.stop('SIGKILL');
    await redis.restart();
    await fleet.startWorker();

    const finished = await waitUntil(
      'the portfolio to complete after the restart',
      async () => {
        const response = await fetch(`${base}${location}`).catch(() => undefined);
        const body = response?.ok ? ((await response.json()) as Record<string, unknown>) : undefined;
        return body?.status === 'completed' && body;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(finished).toMatchObject({ rows_total: 400, rows_done: 400 });
    const lines = (await (await fetch(`${base}${location}/results`)).text())
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.id)).toEqual(rows.map((row) => row.id));
    expect(lines.every((line) => line.decision === 'ACCEPT' || line.decision === 'DECLINE')).toBe(true);
  }, 120_000);
});
