import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ServiceProcess, waitForHttp, waitForOutput } from '../support/processes.js';
import { REDIS_URL, deleteKeysUnder, freePort, testNamespace } from '../support/redis.js';

describe('admin credentials of the gateway and worker processes', () => {
  let service: ServiceProcess | undefined;
  const namespaces: Array<ReturnType<typeof testNamespace>> = [];
  /** A namespace of the test's own: a gateway that starts writes its queues' meta keys there. */
  const ownNamespace = () => {
    const namespace = testNamespace();
    namespaces.push(namespace);
    return { CACHE_PREFIX: namespace.cachePrefix, QUEUE_PREFIX: namespace.queuePrefix };
  };
  afterEach(async () => {
    await service?.stop('SIGKILL');
  });
  afterAll(async () => {
    const redis = new Redis(REDIS_URL);
    for (const { cachePrefix, queuePrefix } of namespaces) {
      await deleteKeysUnder(redis, `${cachePrefix}:`);
      await deleteKeysUnder(redis, queuePrefix);
    }
    redis.disconnect();
  });

  it.each(['api/main.js', 'worker/main.js'])(
    '%s under NODE_ENV=production without ADMIN_PASSWORD: exits 1 with one line naming the setting',
    async (script) => {
      service = ServiceProcess.start(script, {
        NODE_ENV: 'production',
        PORT: String(await freePort()),
        WORKER_METRICS_PORT: String(await freePort()),
        ...ownNamespace(),
      });
      const { code } = await service.exited;
      expect(code).toBe(1);
      const lines = service.output.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/ADMIN_PASSWORD: required when NODE_ENV=production/);
    },
  );

  it('outside production without ADMIN_PASSWORD: the gateway warns without writing any password, and /metrics stays locked', async () => {
    const port = await freePort();
    service = ServiceProcess.start('api/main.js', { NODE_ENV: 'development', PORT: String(port), ...ownNamespace() });
    await waitForHttp(`http://127.0.0.1:${port}/healthz`);
    await waitForOutput(service, /no ADMIN_PASSWORD set/);
    const warning = service.output.split('\n').find((line) => line.includes('no ADMIN_PASSWORD set'))!;
    expect(Object.keys(JSON.parse(warning) as object)).not.toContain('password');
    expect(service.output).not.toMatch(/"password"/);
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`, {
      headers: { authorization: `Basic ${Buffer.from('admin:').toString('base64')}` },
    });
    expect(metrics.status).toBe(401);
  });
});
