import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, ServiceProcess } from '../support/processes.js';
import { REDIS_URL, testNamespace } from '../support/redis.js';

describe('the built processes refuse a manifest that encodes applicants otherwise than the build keys them', () => {
  let dir: string;
  let manifestPath: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'manifest-e2e-'));
    const manifest = JSON.parse(await readFile(join(PROJECT_ROOT, 'model', 'manifest.json'), 'utf8')) as {
      encoding: Array<Record<string, unknown>>;
    };
    // The age knot moved: ages 44 and 46 would still share a key, but 30 and 31 would not mean what they did.
    manifest.encoding[1]!.knot = 40;
    manifestPath = join(dir, 'manifest.json');
    await writeFile(manifestPath, JSON.stringify(manifest));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each(['api/main.js', 'worker/main.js'])('%s exits 1 with one line naming the field', async (script) => {
    const { cachePrefix, queuePrefix } = testNamespace();
    const service = ServiceProcess.start(script, {
      REDIS_URL,
      CACHE_PREFIX: cachePrefix,
      QUEUE_PREFIX: queuePrefix,
      PORT: '0',
      MODEL_MANIFEST_PATH: manifestPath,
    });
    const { code } = await service.exited;
    expect(code).toBe(1);
    expect(service.output.trim().split('\n')).toEqual([
      `model manifest ${manifestPath} encodes age_in_years differently from the encoding this build keys the cache by; rebuild with this manifest`,
    ]);
  });
});
