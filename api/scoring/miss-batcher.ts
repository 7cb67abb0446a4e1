export interface MissBatcherOptions {
  /**
   * The longest a miss waits for company while a flush is already under way; 0 turns batching off
   * (each request's misses are flushed at once, as their own jobs).
   */
  waitMs: number;
  /** The most items one flush (one job) carries. */
  maxItems: number;
}

/** Whether work sent earlier is still out (e.g. a job not answered yet): then misses gather. */
export type Busy = () => boolean;

/**
 * Where each accepted item went, by item id: the job that will answer it. An item missing here
 * needs no job (e.g. its answer turned up in the cache meanwhile).
 */
export type Routes = ReadonlyMap<string, string>;

/** Sends one batch of items on (to the queue); resolves once the batch is accepted, with its routes. */
export type Flush<T> = (items: T[], requestIds: string[]) => Promise<Routes>;

interface Batch<T> {
  items: Map<string, T>;
  requestIds: Set<string>;
  accepted: Promise<Routes>;
  settle: (outcome: { routes: Routes } | { error: unknown }) => void;
}

function openBatch<T>(): Batch<T> {
  let settle!: Batch<T>['settle'];
  const accepted = new Promise<Routes>((resolve, reject) => {
    settle = (outcome) => ('routes' in outcome ? resolve(outcome.routes) : reject(outcome.error));
  });
  // A batch nobody awaits any more (its requests failed another way) must not crash the process.
  accepted.catch(() => undefined);
  return { items: new Map(), requestIds: new Set(), accepted, settle };
}

/**
 * Gathers misses from concurrent requests into batches, group-commit style: with nothing in flight
 * a miss is flushed on the next turn of the event loop (no added latency when idle, but the misses
 * that arrived in the same turn go together); while a flush is in flight, misses gather until it
 * returns, MISS_BATCH_WAIT_MS passes or MISS_BATCH_MAX is reached. So batches grow with load by
 * themselves, which is what lifts miss throughput above the queue's per-job ceiling. An item already
 * gathered or in flight is not added twice: concurrent identical misses share one batch.
 */
export class MissBatcher<T extends { id: string }> {
  private open = openBatch<T>();
  private readonly inFlight = new Map<string, Promise<Routes>>();
  private flushing = 0;
  private scheduled: NodeJS.Immediate | NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly options: MissBatcherOptions,
    private readonly flush: Flush<T>,
    private readonly busy: Busy = () => false,
  ) {}

  /**
   * Resolves when every item is accepted, with the routes of the batches that carried them (an
   * item already in flight goes with its earlier batch), or rejects with a flush's error.
   */
  async submit(items: readonly T[], requestId?: string): Promise<Routes> {
    const accepted = new Set<Promise<Routes>>();
    for (const item of items) {
      const existing = this.inFlight.get(item.id);
      if (existing) {
        accepted.add(existing);
        continue;
      }
      const batch = this.open;
      batch.items.set(item.id, item);
      if (requestId) batch.requestIds.add(requestId);
      this.inFlight.set(item.id, batch.accepted);
      accepted.add(batch.accepted);
      if (batch.items.size >= this.options.maxItems) this.flushOpen();
    }
    if (this.open.items.size > 0) this.schedule();
    const routes = new Map<string, string>();
    for (const batchRoutes of await Promise.all(accepted)) {
      for (const item of items) {
        const route = batchRoutes.get(item.id);
        if (route !== undefined) routes.set(item.id, route);
      }
    }
    return routes;
  }

  /**
   * Whether `id` is in a batch whose flush has begun: submitted now, it joins that flush after the
   * flush may have done its work for it (not a batch still gathering, which has not).
   */
  inFlush(id: string): boolean {
    const accepted = this.inFlight.get(id);
    return accepted !== undefined && accepted !== this.open.accepted;
  }

  /** Flushes what is gathered and waits for every flush in flight: on shutdown, nothing gathered is dropped. */
  async drain(): Promise<void> {
    if (this.open.items.size > 0) this.flushOpen();
    await Promise.allSettled([...this.running]);
  }

  /** Work sent earlier came back (a job answered): what gathered meanwhile goes now, unless more is still out. */
  kick(): void {
    if (this.open.items.size > 0 && this.idle()) this.flushOpen();
  }

  private idle(): boolean {
    return this.flushing === 0 && !this.busy();
  }

  private schedule(): void {
    if (this.options.waitMs === 0) return this.flushOpen();
    if (this.scheduled) return;
    this.scheduled = this.idle()
      ? setImmediate(() => this.flushOpen())
      : setTimeout(() => this.flushOpen(), this.options.waitMs);
  }

  private flushOpen(): void {
    clearTimeout(this.scheduled as NodeJS.Timeout);
    clearImmediate(this.scheduled as NodeJS.Immediate);
    this.scheduled = undefined;
    const batch = this.open;
    if (batch.items.size === 0) return;
    this.open = openBatch<T>();
    this.flushing += 1;
    const run = this.flush([...batch.items.values()], [...batch.requestIds]).then(
      (routes) => batch.settle({ routes }),
      (error: unknown) => batch.settle({ error: error ?? new Error('flush failed') }),
    );
    const done = run.finally(() => {
      this.flushing -= 1;
      this.running.delete(done);
      for (const id of batch.items.keys()) {
        if (this.inFlight.get(id) === batch.accepted) this.inFlight.delete(id);
      }
      // What gathered while this flush was in flight goes now rather than at its timer, unless earlier work is still out.
      this.kick();
    });
    this.running.add(done);
  }
}
