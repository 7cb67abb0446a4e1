import { execFileSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';

/**
 * patches/ioredis+5.11.1.patch: ioredis gave every Pipeline its own `length` accessor in the
 * constructor, so each pipeline (one per event-loop turn with auto-pipelining) got a hidden class of
 * its own. V8 keeps hidden classes in the old generation, and that one points back at its pipeline,
 * so every pipeline and every command and reply it holds outlived the young-generation collection:
 * about 700 KB promoted per scavenge under saturated hits, 3.5 ms pauses instead of 1.3 ms
 * (BENCHMARKS.md, "ioredis pipelines and the young generation").
 */
describe('ioredis pipelines share one hidden class (the patch is applied)', () => {
  it('a pipeline has no length property of its own, and its length still counts the queued commands', () => {
    const redis = new Redis({ lazyConnect: true });
    try {
      const pipeline = redis.pipeline();
      pipeline.get('a');
      pipeline.get('b');
      expect(Object.getOwnPropertyDescriptor(pipeline, 'length')).toBeUndefined();
      expect(pipeline.length).toBe(2);
    } finally {
      redis.disconnect();
    }
  });

  it('two pipelines of one client have the same V8 map (asked of V8 itself, with --allow-natives-syntax)', () => {
    const script = [
      "import { Redis } from 'ioredis';",
      'const redis = new Redis({ lazyConnect: true });',
      'const first = redis.pipeline();',
      'const second = redis.pipeline();',
      'console.log(JSON.stringify(%HaveSameMap(first, second)));',
      'redis.disconnect();',
    ].join('\n');
    const output = execFileSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], {
      cwd: process.cwd(),
      encoding: 'utf8',
    });
    expect(JSON.parse(output.trim())).toBe(true);
  });
});
