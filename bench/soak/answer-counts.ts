/** The soak's kinds of request; each has the statuses it expects. */
export const STREAMS = {
  /** POST /scores, warm set. */
  hits: [200],
  /** POST /decisions, never-seen applicants. */
  misses: [200],
  /** POST /scores/batch, warm and never-seen applicants. */
  batches: [200],
  /** POST /jobs, single or batch: 202, or 200 when everything was cached already. */
  jobs: [200, 202],
  /** GET /jobs/:id until completed. */
  polls: [200],
} as const satisfies Record<string, readonly number[]>;

export type Stream = keyof typeof STREAMS;
export type StatusCounts = Record<Stream, Record<string, number>>;

/** What went wrong besides a status: a request that got no answer, a job that failed or never finished. */
export interface Mishaps {
  /** Connection errors and timeouts (autocannon streams are counted when they end). */
  connectionErrors: number;
  /** Polled jobs that answered `failed`. */
  jobsFailed: number;
  /** Polled jobs not finished within the poll deadline. */
  pollTimeouts: number;
}

/** Answers per stream and status, as they arrive, so every sample can show them. */
export class AnswerCounts {
  private readonly counts: StatusCounts = { hits: {}, misses: {}, batches: {}, jobs: {}, polls: {} };
  readonly mishaps: Mishaps = { connectionErrors: 0, jobsFailed: 0, pollTimeouts: 0 };

  record(stream: Stream, status: number): void {
    const byStatus = this.counts[stream];
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  }

  snapshot(): StatusCounts {
    return structuredClone(this.counts);
  }
}

/** Answers with a status their stream does not expect, 5xx included, per stream. */
export function unexpectedStatuses(counts: StatusCounts): Partial<StatusCounts> {
  const unexpected: Partial<StatusCounts> = {};
  for (const stream of Object.keys(STREAMS) as Stream[]) {
    const expected: readonly number[] = STREAMS[stream];
    const odd = Object.entries(counts[stream]).filter(([status]) => !expected.includes(Number(status)));
    if (odd.length > 0) unexpected[stream] = Object.fromEntries(odd);
  }
  return unexpected;
}

export function countWhere(counts: StatusCounts, which: (status: number) => boolean): number {
  return Object.values(counts)
    .flatMap((byStatus) => Object.entries(byStatus))
    .reduce((sum, [status, n]) => (which(Number(status)) ? sum + n : sum), 0);
}
