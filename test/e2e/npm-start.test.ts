import { mkdtempSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXAMPLE_APPLICANT, applicantNumber } from '../support/applicants.js';
import { ServiceProcess, waitForHttp } from '../support/processes.js';
import { Redis } from 'ioredis';
import { REDIS_URL, deleteKeysUnder, freePort, freePorts, testNamespace } from '../support/redis.js';
import { waitUntil } from '../support/wait.js';
import { isRedisReachable } from '../../scripts/local-redis.js';

/**
 * A port p with p + 1 free as well, neither of them in `taken`: the base of two workers' metrics
 * ports, beside ports already chosen for other processes (a pair that ran over the gateway's port
 * once put a worker's metrics server where the test expected the gateway).
 */
async function freePortPair(taken: readonly number[]): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port >= 65535 || taken.includes(port) || taken.includes(port + 1)) continue;
    const probe = createServer();
    const free = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen(port + 1, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/** The JSON log lines of the stack's processes (the supervisor's own lines are plain text). */
function logLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function pidsOf(output: string, process: string, msg: string): number[] {
  return logLines(output)
    .filter((line) => line.process === process && line.msg === msg)
    .map((line) => line.pid as number);
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function post(base: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('npm start (dist/scripts/start.js): gateway + workers, and a local Redis when none answers', () => {
  let start: ServiceProcess | undefined;
  /** Namespaces the stacks used on the shared Redis, removed after each test. */
  const namespaces: Array<ReturnType<typeof testNamespace>> = [];
  /** CACHE_PREFIX and QUEUE_PREFIX of a namespace of the test's own on the shared Redis. */
  const ownNamespace = () => {
    const namespace = testNamespace();
    namespaces.push(namespace);
    return { CACHE_PREFIX: namespace.cachePrefix, QUEUE_PREFIX: namespace.queuePrefix };
  };
  afterEach(async () => {
    await start?.stop('SIGKILL');
    const redis = new Redis(REDIS_URL);
    for (const { cachePrefix, queuePrefix } of namespaces.splice(0)) {
      await deleteKeysUnder(redis, `${cachePrefix}:`);
      await deleteKeysUnder(redis, queuePrefix);
    }
    redis.disconnect();
  });

  it('no Redis at REDIS_URL: starts redis-server, serves MISS then HIT, and stops it all on SIGTERM', async () => {
    const [port, redisPort] = await freePorts(2);
    const redisUrl = `redis://127.0.0.1:${redisPort}`;
    expect(await isRedisReachable(redisUrl)).toBe(false);
    start = ServiceProcess.start('scripts/start.js', {
      PORT: String(port),
      REDIS_URL: redisUrl,
      WORKERS: '2',
      ...testNamespace(),
    });
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/healthz`, 20_000);
    expect(start.output).toContain('started a local redis-server');

    const send = () =>
      fetch(`${base}/risk_categories`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(EXAMPLE_APPLICANT),
      });
    expect((await send()).headers.get('x-cache')).toBe('MISS');
    expect((await send()).headers.get('x-cache')).toBe('HIT');

    expect((await start.stop('SIGTERM')).code).toBe(0);
    expect(await isRedisReachable(redisUrl)).toBe(false);
  });

  it('no Redis and no redis-server installed: exits 1 with one line saying how to get Redis', async () => {
    const redisUrl = `redis://127.0.0.1:${await freePort()}`;
    // A PATH holding only node (here node and redis-server share /usr/bin): redis-server cannot be found.
    const onlyNode = mkdtempSync(join(tmpdir(), 'only-node-'));
    symlinkSync(process.execPath, join(onlyNode, 'node'));
    start = ServiceProcess.start('scripts/start.js', { PATH: onlyNode, REDIS_URL: redisUrl });
    const { code } = await start.exited;
    expect(code).toBe(1);
    const lines = start.output.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/No Redis answers at .* install one/);
  });

  it('WORKERS=2 under NODE_ENV=production: one made-up password printed once (never logged) opens the gateway and both workers, whose metrics ports are base + i', async () => {
    const port = await freePort();
    const metricsBase = await freePortPair([port]);
    start = ServiceProcess.start('scripts/start.js', {
      PORT: String(port),
      WORKERS: '2',
      WORKER_METRICS_PORT: String(metricsBase),
      NODE_ENV: 'production',
      SERVICE_SECRET: '',
      ...ownNamespace(),
    });
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/healthz`, 30_000);
    await waitUntil('two workers ready', () => pidsOf(start!.output, 'worker', 'worker ready').length === 2, {
      timeoutMs: 30_000,
    });

    const printed = [...start.output.matchAll(/user admin, password (\S+) \(made up/g)].map((match) => match[1]!);
    expect(printed).toHaveLength(1);
    const password = printed[0]!;
    expect(password.length).toBeGreaterThanOrEqual(12);
    const jsonLogs = start.output.split('\n').filter((line) => line.startsWith('{'));
    expect(jsonLogs.length).toBeGreaterThan(0);
    expect(jsonLogs.filter((line) => line.includes(password) || /"password"/.test(line))).toEqual([]);

    const authorization = basic('admin', password);
    expect((await fetch(`${base}/metrics`, { headers: { authorization } })).status).toBe(200);
    for (const metricsPort of [metricsBase, metricsBase + 1]) {
      const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { headers: { authorization } });
      expect(metrics.status, `worker metrics on ${metricsPort}`).toBe(200);
      expect(await metrics.text()).toContain('scoring_jobs_processed_total');
    }
    expect(
      (await fetch(`${base}/metrics`, { headers: { authorization: basic('admin', 'not-the-password') } })).status,
    ).toBe(401);

    const answer = await post(base, '/risk_categories', EXAMPLE_APPLICANT);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-cache')).toBe('MISS');
  }, 60_000);

  it('SIGKILL one of two workers: the supervisor says so and restarts it; the gateway keeps running and misses are answered', async () => {
    const port = await freePort();
    start = ServiceProcess.start('scripts/start.js', { PORT: String(port), WORKERS: '2', ...ownNamespace() });
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/healthz`, 30_000);
    const [first] = await waitUntil(
      'two workers ready',
      () => {
        const pids = pidsOf(start!.output, 'worker', 'worker ready');
        return pids.length === 2 && pids;
      },
      { timeoutMs: 30_000 },
    );
    const [gatewayPid] = pidsOf(start.output, 'api', 'gateway listening');
    expect(gatewayPid).toBeGreaterThan(0);

    process.kill(first!, 'SIGKILL');
    await waitUntil(
      'the restart message',
      () => /exited with signal SIGKILL; restarting it in \d+ ms/.test(start!.output),
      {
        timeoutMs: 10_000,
      },
    );
    const restarted = await waitUntil(
      'the restarted worker ready',
      () => pidsOf(start!.output, 'worker', 'worker ready')[2],
      { timeoutMs: 30_000 },
    );
    expect(restarted).not.toBe(first);

    for (let n = 0; n < 5; n++) {
      const answer = await post(base, '/risk_categories', applicantNumber(100 + n));
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-cache')).toBe('MISS');
    }
    expect(start.isRunning).toBe(true);
    expect(() => process.kill(gatewayPid!, 0)).not.toThrow();
    expect(pidsOf(start.output, 'api', 'gateway listening')).toEqual([gatewayPid]);
  }, 90_000);

  it('a worker that keeps crashing (its metrics port is taken) stops the stack with exit 1 after the allowed restarts', async () => {
    const [port, metricsPort] = await freePorts(2);
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(metricsPort, resolve));
    try {
      start = ServiceProcess.start('scripts/start.js', {
        PORT: String(port),
        WORKERS: '1',
        WORKER_METRICS_PORT: String(metricsPort),
        ...ownNamespace(),
      });
      const { code } = await waitUntil('the stack to stop', () => (start!.isRunning ? undefined : start!.exited), {
        timeoutMs: 90_000,
        intervalMs: 200,
      });
      expect(code).toBe(1);
      expect(start.output.match(/worker 1 \(pid \d+\) exited with code 1; restarting it/g)).toHaveLength(5);
      expect(start.output).toMatch(
        /worker 1 \(pid \d+\) exited with code 1, its 6th crash within 60 s: stopping everything/,
      );
    } finally {
      squatter.close();
    }
  }, 120_000);
});
