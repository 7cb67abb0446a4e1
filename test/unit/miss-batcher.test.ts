import { describe, expect, it } from 'vitest';
import { MissBatcher, type MissBatcherOptions } from '../../api/scoring/miss-batcher.js';

interface Item {
  id: string;
}

const items = (...ids: string[]): Item[] => ids.map((id) => ({ id }));

/** A flush the test controls: it records every batch and returns when the test says so. */
function recordingFlush() {
  const batches: Array<{ ids: string[]; requestIds: string[] }> = [];
  const release: Array<(error?: Error) => void> = [];
  let hold = false;
  const flush = (batch: Item[], requestIds: string[]) => {
    batches.push({ ids: batch.map((item) => item.id), requestIds });
    // Each item goes to a job named after the batch it went in (the first batch is job-0).
    const routes = new Map(batch.map((item) => [item.id, `job-${batches.length - 1}`]));
    if (!hold) return Promise.resolve(routes);
    return new Promise<Map<string, string>>((resolve, reject) =>
      release.push((error) => (error ? reject(error) : resolve(routes))),
    );
  };
  return {
    batches,
    flush,
    holdFlushes: () => (hold = true),
    releaseAll: (error?: Error) => release.splice(0).forEach((r) => r(error)),
  };
}

const batcher = (options: Partial<MissBatcherOptions>, flush: ReturnType<typeof recordingFlush>['flush']) =>
  new MissBatcher<Item>({ waitMs: 2, maxItems: 64, ...options }, flush);

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('MissBatcher: gathers concurrent misses into batches', () => {
  it('idle: misses submitted in the same turn go together on the next turn, with every request id', async () => {
    const recorder = recordingFlush();
    const misses = batcher({}, recorder.flush);
    const done = [misses.submit(items('a', 'b'), 'r1'), misses.submit(items('c'), 'r2')];
    expect(recorder.batches).toEqual([]);
    await Promise.all(done);
    expect(recorder.batches).toEqual([{ ids: ['a', 'b', 'c'], requestIds: ['r1', 'r2'] }]);
  });

  it('busy: misses gather while a flush is in flight and go as one batch when it returns', async () => {
    const recorder = recordingFlush();
    recorder.holdFlushes();
    const misses = batcher({ waitMs: 1000 }, recorder.flush);
    const first = misses.submit(items('a'));
    await tick();
    const later = [misses.submit(items('b')), misses.submit(items('c')), misses.submit(items('d'))];
    await tick();
    expect(recorder.batches.map((b) => b.ids)).toEqual([['a']]);
    recorder.releaseAll();
    await first;
    await tick();
    expect(recorder.batches.map((b) => b.ids)).toEqual([['a'], ['b', 'c', 'd']]);
    recorder.releaseAll();
    await Promise.all(later);
  });

  it('flush on timeout: a miss waits at most MISS_BATCH_WAIT_MS for a flush that does not return', async () => {
    const recorder = recordingFlush();
    recorder.holdFlushes();
    const misses = batcher({ waitMs: 5 }, recorder.flush);
    void misses.submit(items('a'));
    await tick();
    void misses.submit(items('b'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(recorder.batches.map((b) => b.ids)).toEqual([['a'], ['b']]);
    recorder.releaseAll();
  });

  it('while earlier work is out (a job not answered), misses gather and go when it comes back', async () => {
    const recorder = recordingFlush();
    let jobsOut = 1;
    const misses = new MissBatcher<Item>({ waitMs: 1000, maxItems: 64 }, recorder.flush, () => jobsOut > 0);
    const done = [misses.submit(items('a')), misses.submit(items('b'))];
    await tick();
    expect(recorder.batches).toEqual([]);
    jobsOut = 0;
    misses.kick();
    await Promise.all(done);
    expect(recorder.batches.map((b) => b.ids)).toEqual([['a', 'b']]);
  });

  it('flush on size: never more than MISS_BATCH_MAX items in one batch, order kept', async () => {
    const recorder = recordingFlush();
    const misses = batcher({ maxItems: 3 }, recorder.flush);
    await misses.submit(items('1', '2', '3', '4', '5', '6', '7'));
    expect(recorder.batches.map((b) => b.ids)).toEqual([['1', '2', '3'], ['4', '5', '6'], ['7']]);
  });

  it('MISS_BATCH_WAIT_MS=0: no gathering, each request flushes its own misses at once', async () => {
    const recorder = recordingFlush();
    const misses = batcher({ waitMs: 0 }, recorder.flush);
    const done = [misses.submit(items('a')), misses.submit(items('b', 'c'))];
    expect(recorder.batches.map((b) => b.ids)).toEqual([['a'], ['b', 'c']]);
    await Promise.all(done);
  });

  it('an item gathered or in flight is not added again: identical concurrent misses share one batch', async () => {
    const recorder = recordingFlush();
    recorder.holdFlushes();
    const misses = batcher({}, recorder.flush);
    const done = [misses.submit(items('a', 'b')), misses.submit(items('a')), misses.submit(items('b', 'a'))];
    await tick();
    const whileInFlight = misses.submit(items('a'));
    await tick();
    expect(recorder.batches.map((b) => b.ids)).toEqual([['a', 'b']]);
    recorder.releaseAll();
    // Each request learns the job of every item it asked for, its own or one it joined.
    expect(await Promise.all([...done, whileInFlight])).toEqual([
      new Map([
        ['a', 'job-0'],
        ['b', 'job-0'],
      ]),
      new Map([['a', 'job-0']]),
      new Map([
        ['b', 'job-0'],
        ['a', 'job-0'],
      ]),
      new Map([['a', 'job-0']]),
    ]);
    // Once accepted, the item is no longer held here: a later miss goes again (the claim dedupes it).
    const again = misses.submit(items('a'));
    await tick();
    recorder.releaseAll();
    await again;
    expect(recorder.batches.map((b) => b.ids)).toEqual([['a', 'b'], ['a']]);
  });

  it('inFlush: an item is in a flush from the moment its batch goes until the batch is accepted, not while gathering', async () => {
    const recorder = recordingFlush();
    recorder.holdFlushes();
    const misses = batcher({}, recorder.flush);
    const done = misses.submit(items('a'));
    expect([misses.inFlush('a'), misses.inFlush('b')]).toEqual([false, false]);
    await tick();
    expect(misses.inFlush('a')).toBe(true);
    recorder.releaseAll();
    await done;
    await tick();
    expect(misses.inFlush('a')).toBe(false);
  });

  it('a failed flush rejects exactly the requests in that batch; the next batch is unaffected', async () => {
    const recorder = recordingFlush();
    recorder.holdFlushes();
    const misses = batcher({ waitMs: 1000 }, recorder.flush);
    const failing = misses.submit(items('a'));
    await tick();
    const next = misses.submit(items('b'));
    recorder.releaseAll(new Error('redis down'));
    await expect(failing).rejects.toThrow('redis down');
    await tick();
    recorder.releaseAll();
    await expect(next).resolves.toEqual(new Map([['b', 'job-1']]));
    expect(recorder.batches.map((b) => b.ids)).toEqual([['a'], ['b']]);
  });

  it('drain (shutdown): what is gathered is flushed and awaited, nothing dropped', async () => {
    const recorder = recordingFlush();
    recorder.holdFlushes();
    const misses = batcher({ waitMs: 1000 }, recorder.flush);
    void misses.submit(items('a'));
    await tick();
    void misses.submit(items('b', 'c'));
    let drained = false;
    const draining = misses.drain().then(() => (drained = true));
    await tick();
    expect(recorder.batches.map((b) => b.ids)).toEqual([['a'], ['b', 'c']]);
    expect(drained).toBe(false);
    recorder.releaseAll();
    await draining;
    expect(drained).toBe(true);
  });
});
