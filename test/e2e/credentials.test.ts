import { afterEach, describe, expect, it } from 'vitest';
import { ServiceProcess, waitForHttp, waitForOutput } from '../support/processes.js';
import { freePort, testNamespace } from '../support/redis.js';

/** A namespace of the test's own (these processes write nothing, but a mistake would land there). */
function ownNamespace() {
  const { cachePrefix, queuePrefix } = testNamespace();
  return { CACHE_PREFIX: cachePrefix, QUEUE_PREFIX: queuePrefix };
}

describe('admin credentials of the gateway and worker processes', () => {
  let service: ServiceProcess | undefined;
  afterEach(async () => {
    await service?.stop('SIGKILL');
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
