/** One HTTP request of a load test, described before it is sent. */
export interface RequestSpec {
  /** What kind of request this is, for counting (e.g. 'sync-hit', 'async'). */
  label: string;
  url: string;
  method?: 'GET' | 'POST';
  body?: unknown;
  headers?: Record<string, string>;
  /** The client gives up (and records a 'TimeoutError') after this long: a hang shows up as such. */
  budgetMs: number;
}

/** What became of one request: an HTTP answer, or the socket error that replaced it. */
export interface Outcome {
  label: string;
  /** performance.now() when fetch was called, and how long until the body was read. */
  startedAt: number;
  ms: number;
  status?: number;
  headers?: Headers;
  contentType?: string;
  /** The problem document's `code`, for problem+json answers. */
  code?: string;
  /** The parsed JSON body of a non-problem answer. */
  body?: unknown;
  /** For requests without an HTTP answer: the socket error code (ECONNRESET, UND_ERR_SOCKET...) or 'TimeoutError'. */
  error?: string;
}

function errorCode(error: unknown): string {
  if (error instanceof DOMException) return error.name;
  const cause = (error as { cause?: { code?: unknown; name?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.name === 'string') return cause.name;
  return error instanceof Error ? error.name : 'unknown';
}

/** Sends one request and records its outcome; never throws. */
export async function send(spec: RequestSpec): Promise<Outcome> {
  const startedAt = performance.now();
  const outcome = (fields: Omit<Outcome, 'label' | 'startedAt' | 'ms'>): Outcome => ({
    label: spec.label,
    startedAt,
    ms: performance.now() - startedAt,
    ...fields,
  });
  try {
    const response = await fetch(spec.url, {
      method: spec.method ?? (spec.body === undefined ? 'GET' : 'POST'),
      headers: spec.body === undefined ? spec.headers : { 'content-type': 'application/json', ...spec.headers },
      body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
      signal: AbortSignal.timeout(spec.budgetMs),
    });
    const contentType = response.headers.get('content-type') ?? '';
    const text = await response.text();
    const parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
    const code = contentType.startsWith('application/problem+json') ? (parsed as { code?: string }).code : undefined;
    return outcome({ status: response.status, headers: response.headers, contentType, code, body: parsed });
  } catch (error) {
    return outcome({ error: errorCode(error) });
  }
}

export interface LoadLimits {
  /** Requests in flight at once. */
  virtualUsers: number;
  /** The loop stops by itself after this many requests... */
  maxRequests: number;
  /** ...or this long, whichever comes first (loopback only, so the bound is what matters). */
  maxMs: number;
}

/**
 * A bounded closed-loop load: `virtualUsers` clients each send the next request as soon as their
 * last one is answered, until stop() or a limit. `next(i)` describes the i-th request.
 */
export class LoadLoop {
  readonly outcomes: Outcome[] = [];
  private stopped = false;
  private issued = 0;
  private readonly done: Promise<void>;

  constructor(
    private readonly next: (i: number) => RequestSpec,
    private readonly limits: LoadLimits,
  ) {
    const endAt = performance.now() + limits.maxMs;
    const user = async () => {
      while (!this.stopped && this.issued < this.limits.maxRequests && performance.now() < endAt) {
        this.outcomes.push(await send(this.next(this.issued++)));
      }
    };
    this.done = Promise.all(Array.from({ length: limits.virtualUsers }, user)).then(() => undefined);
  }

  /** Requests answered (or failed) so far. */
  get count(): number {
    return this.outcomes.length;
  }

  /** Stops issuing new requests and waits for those in flight. */
  async stop(): Promise<Outcome[]> {
    this.stopped = true;
    await this.done;
    return this.outcomes;
  }
}

/** How many outcomes fall in each bucket (status code or error code). */
export function tally(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    const bucket = o.status !== undefined ? String(o.status) : (o.error ?? 'unknown');
    counts[bucket] = (counts[bucket] ?? 0) + 1;
  }
  return counts;
}
